# klua: keep the instruction-budget hook active in __gc metamethods, so
# that a finalizer cannot loop forever in the kernel.
s|^\( *\)L->allowhook = 0;  /\* stop debug hooks during GC metamethod \*/|\1/* klua: hooks stay on (instruction budget) */|
