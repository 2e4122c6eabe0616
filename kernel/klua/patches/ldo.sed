# klua: before raising "C stack overflow" from ccall, make sure the Lua
# stack has room beyond EXTRA_STACK: an error handler that overflows again
# re-enters here, and each level pushes without checking (KASAN found the
# out-of-bounds write in luaG_errormsg).  The same change as Lua 5.4.5's.
/^l_sinline void ccall (lua_State \*L, StkId func, int nResults, int inc) {$/,/^}$/ {
  s|^    luaE_checkcstack(L);$|    { ptrdiff_t t__ = savestack(L, func); luaD_checkstack(L, 0); func = restorestack(L, t__); luaE_checkcstack(L); }|
}
# klua: scripts only ever run under a count hook, which needs nothing at a
# return; skip the return-hook call (and its line-hook bookkeeping) then.
s|^  if (l_unlikely(L->hookmask && !hastocloseCfunc(wanted)))$|  if (l_unlikely((L->hookmask \& ~LUA_MASKCOUNT) \&\& !hastocloseCfunc(wanted)))|
