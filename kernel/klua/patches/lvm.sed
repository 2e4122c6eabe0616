# klua: the instruction budget is a count hook, so 'trap' is always set and
# every VM instruction called luaG_traceexec (a third of the interpreter's
# time).  While the count has not run out and no other hook is set, only
# decrement it here; the rest is luaG_traceexec's count-only path unchanged.
/^#define vmfetch()	{ \\$/,/^}$/ {
  s|^    trap = luaG_traceexec(L, pc);  /\* handle hooks \*/ \\$|    if (L->hookmask != LUA_MASKCOUNT \|\| L->hookcount <= 1) \\\
      trap = luaG_traceexec(L, pc);  /* handle hooks */ \\\
    else \\\
      L->hookcount--;  /* klua: the count-only fast path */ \\|
}
