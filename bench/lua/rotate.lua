-- GETs rotating over the paths in a file (args[1]), one per line. A line may carry an
-- If-None-Match value after a tab. With BENCH_COUNT_STATUS=1 in the environment, every
-- status is counted (wrk only parses responses when response() exists at load time).
--   wrk ... -s rotate.lua http://host:port -- paths.txt
dofile((os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/common.lua")

local reqs, i

function init(args)
  reqs = {}
  for _, line in ipairs(read_lines(args[1])) do
    local f = split_tabs(line)
    local headers = {}
    if f[2] and f[2] ~= "" then headers["If-None-Match"] = f[2] end
    reqs[#reqs + 1] = wrk.format("GET", f[1], headers)
  end
  i = start_index(#reqs)
end

function request()
  i = i % #reqs + 1
  return reqs[i]
end

if os.getenv("BENCH_COUNT_STATUS") == "1" then
  function response(status, headers, body)
    count_status(status)
  end
end
