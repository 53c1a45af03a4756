-- The queue sorts open cases by the nearest deadline of any running clock (the first
-- response until the customer is answered, the step, the resolution), not only the
-- resolution's: what `queue_key` computes for every new change (kesu-domain `countdown`).
UPDATE cases SET queue_key = COALESCE((
    SELECT CAST(ROUND((julianday(MIN(due)) - 2440587.5) * 86400000) AS INTEGER) FROM (
        SELECT CASE WHEN json_extract(detail, '$.responded_at') IS NULL
                    THEN json_extract(detail, '$.deadlines.first_response_by') END AS due
        UNION ALL SELECT json_extract(detail, '$.deadlines.step_by')
        UNION ALL SELECT json_extract(detail, '$.deadlines.resolve_by')
    ) WHERE due IS NOT NULL
), 3000000000000000)
WHERE status <> 'closed';
