# klua: charge pattern-matching steps to the instruction budget (a
# backtracking pattern runs no Lua instruction at all).
s|if (l_unlikely(ms->matchdepth-- == 0))|if (l_unlikely(ms->matchdepth-- == 0 \|\| klua_match_step(ms->L)))|
