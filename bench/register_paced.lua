-- wrk script: registrations at a set pace (open loop): each connection waits KESU_DELAY_MS
-- between its requests, so c connections offer about c × 1000 / delay per second.
local token = os.getenv("KESU_TOKEN")
local pause = tonumber(os.getenv("KESU_DELAY_MS") or "10")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.body = [[{"channel":"platform","complainant":{"name":"王小明","phone":"13812345678"},"order_no":"TB20261111001","tracking_no":"YT1234567890","category":"damaged","demand":"reship","description":"收到的玻璃杯碎了两个，外箱有明显压痕"}]]

function delay()
  return pause
end
