-- One fixed URL (GET /health, list page 1, page 50): wrk's static request, no per-request Lua.
dofile((os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/common.lua")
