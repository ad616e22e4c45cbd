-- POST /api/v1/articles/{id}/comments as an anonymous reader, rotating over the article
-- paths in args[1]; counts statuses (202 is success).
dofile((os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/common.lua")

local paths, i

function init(args)
  paths = read_lines(args[1])
  i = start_index(#paths)
end

function request()
  i = i % #paths + 1
  return comment_request(paths[i])
end

function response(status, headers, body)
  count_status(status)
end
