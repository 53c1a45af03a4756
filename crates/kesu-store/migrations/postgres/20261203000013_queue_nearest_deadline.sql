-- The queue sorts open cases by the nearest deadline of any running clock (the first
-- response until the customer is answered, the step, the resolution), not only the
-- resolution's: what `queue_key` computes for every new change (kesu-domain `countdown`).
UPDATE cases SET queue_key = COALESCE(CAST(ROUND(EXTRACT(EPOCH FROM LEAST(
    CASE WHEN (detail::jsonb ->> 'responded_at') IS NULL
         THEN (detail::jsonb -> 'deadlines' ->> 'first_response_by')::timestamptz END,
    (detail::jsonb -> 'deadlines' ->> 'step_by')::timestamptz,
    (detail::jsonb -> 'deadlines' ->> 'resolve_by')::timestamptz
)) * 1000) AS BIGINT), 3000000000000000)
WHERE status <> 'closed';
