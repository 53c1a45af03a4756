-- wrk script: durable registrations over HTTP. Usage:
--   KESU_TOKEN=ks_… wrk -t2 -c32 -d20s -s bench/register.lua http://127.0.0.1:8080
local token = os.getenv("KESU_TOKEN")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.body = [[{"channel":"platform","complainant":{"name":"王小明","phone":"13812345678"},"order_no":"TB20261111001","tracking_no":"YT1234567890","category":"damaged","demand":"reship","description":"收到的玻璃杯碎了两个，外箱有明显压痕"}]]
