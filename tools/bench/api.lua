-- tools/bench/api.lua — wrk script for tools/bench/api: every request is a
-- POST /v1/mints with a metadata part and a 1 KiB content part that no other
-- request of the run has (else the second would get 409). The content is
-- "haechi-bench <nonce> t<thread> n<counter>" padded to 1,024 bytes with
-- random bytes drawn once per thread; the nonce (HAECHI_BENCH_NONCE) is new
-- for every wrk invocation, so a warm-up and a measured run on the same
-- ledger never collide.
--
-- Environment: HAECHI_BENCH_KEY    the API key (minter role)
--              HAECHI_BENCH_NONCE  unique per invocation (letters, digits)
--              HAECHI_BENCH_SIZE   content bytes (default 1024)
-- At the end it prints one line for the calling script:
--   RESULT requests=N seconds=S s202=N other=N bad_body=N p50_us=X p99_us=X
--          p999_us=X max_us=X errors=connect/read/write/timeout
--          statuses=CODE:N,...
-- "other" counts responses that are not 202; "bad_body" counts 202s whose
-- body is not a queued mint.

local boundary = "haechibench7f3a9c1e5b2d4806"
local key = os.getenv("HAECHI_BENCH_KEY") or ""
local nonce = os.getenv("HAECHI_BENCH_NONCE") or "0"
local size = tonumber(os.getenv("HAECHI_BENCH_SIZE") or "1024")

local meta = '{"creator":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",' ..
             '"name":{"en":"bench"}}'
local head = "--" .. boundary .. "\r\n" ..
    'Content-Disposition: form-data; name="metadata"\r\n' ..
    "Content-Type: application/json\r\n\r\n" .. meta .. "\r\n" ..
    "--" .. boundary .. "\r\n" ..
    'Content-Disposition: form-data; name="content"; filename="work.bin"\r\n' ..
    "Content-Type: application/octet-stream\r\n\r\n"
local tail = "\r\n--" .. boundary .. "--\r\n"
local headers = {
    ["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
}

local threads = {}
local counter = 0
local tid = 0
local filler = ""
-- globals: done() reads them from each thread with thread:get
statuses = {}
bad_body = 0

function setup(thread)
    thread:set("tid", #threads + 1)
    table.insert(threads, thread)
end

function init(args)
    tid = tonumber(wrk.thread:get("tid")) or 0
    math.randomseed(os.time() * 1000 + tid)
    local bytes = {}
    for i = 1, size do
        bytes[i] = string.char(math.random(0, 255))
    end
    filler = table.concat(bytes)
    statuses = {}
end

function request()
    counter = counter + 1
    local id = string.format("haechi-bench %s t%03d n%012d ", nonce, tid,
                             counter)
    local content = id .. string.sub(filler, #id + 1, size)
    return wrk.format("POST", "/v1/mints", headers, head .. content .. tail)
end

function response(status, hdrs, body)
    local k = tostring(status)
    statuses[k] = (statuses[k] or 0) + 1
    if status == 202 and not string.find(body, '"state":"queued"', 1, true) then
        bad_body = bad_body + 1
    end
end

function done(summary, latency, requests)
    local total, s202, bad = {}, 0, 0
    for _, t in ipairs(threads) do
        local st = t:get("statuses") or {}
        for k, v in pairs(st) do
            total[k] = (total[k] or 0) + v
        end
        bad = bad + (tonumber(t:get("bad_body")) or 0)
    end
    local other, list = 0, {}
    for k, v in pairs(total) do
        if k == "202" then s202 = v else other = other + v end
        table.insert(list, k .. ":" .. v)
    end
    table.sort(list)
    local e = summary.errors
    io.write(string.format(
        "RESULT requests=%d seconds=%.6f s202=%d other=%d bad_body=%d " ..
        "p50_us=%d p99_us=%d p999_us=%d max_us=%d errors=%d/%d/%d/%d " ..
        "statuses=%s\n",
        summary.requests, summary.duration / 1e6, s202, other, bad,
        latency:percentile(50), latency:percentile(99),
        latency:percentile(99.9), latency.max,
        e.connect, e.read, e.write, e.timeout,
        #list > 0 and table.concat(list, ",") or "none"))
end
