-- POST /api/v1/auth/login rotating over the accounts in args[1] (one email per line), all
-- with the password args[2]; counts statuses (200 is success).
dofile((os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/common.lua")

local reqs, i

function init(args)
  reqs = {}
  local password = args[2] or "bench password 123"
  for _, email in ipairs(read_lines(args[1])) do
    local body = string.format('{"email":"%s","password":"%s"}', email, password)
    reqs[#reqs + 1] = wrk.format("POST", "/api/v1/auth/login",
      { ["Content-Type"] = "application/json" }, body)
  end
  i = start_index(#reqs)
end

function request()
  i = i % #reqs + 1
  return reqs[i]
end

function response(status, headers, body)
  count_status(status)
end
