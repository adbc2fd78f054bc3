-- wrk script for POST /api/progress/sync (bench/run.py passes the cookies and the
-- X-CSRFToken header with -H, and the JSON body's file in STREAM_BENCH_BODY_FILE).
local file = assert(io.open(os.getenv("STREAM_BENCH_BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
