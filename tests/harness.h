/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small test harness for C tests: one behaviour per test, TAP output.
 *
 *   TEST(name) { ASSERT_EQ(1, 1); }
 *
 *   FIXTURE(pair) { int fd[2]; };
 *   FIXTURE_SETUP(pair) { ... self->fd ... }
 *   FIXTURE_TEARDOWN(pair) { ... }
 *   TEST_F(pair, closes) { ASSERT_EQ(0, close(self->fd[0])); }
 *
 *   TEST_MAIN()
 *
 * Each test runs in its own child process with a time limit (default 60 s,
 * TEST_TIMEOUT in the environment or TEST_SET_TIMEOUT(s) in a test), so a
 * crash or a hang fails that test and the rest still run.  A failed ASSERT
 * ends the test; a failed EXPECT marks it failed and goes on.  SKIP(...)
 * ends it as skipped (TAP "ok N - name # SKIP why").  Run one test with
 * `./test NAME` (several names allowed).
 */
#ifndef KTLS_LUA_TEST_HARNESS_H
#define KTLS_LUA_TEST_HARNESS_H

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct th_test {
	const char *name;
	void (*run)(void);
	struct th_test *next;
};

struct th_state {
	struct th_test *head, **tail;
	int failed;	/* in the child: this test failed */
	int skipped;
	unsigned int timeout;
};

extern struct th_state th_state;

#define TH_STATE_DEFINE struct th_state th_state = { .tail = &th_state.head }

static inline void th_register(struct th_test *t)
{
	*th_state.tail = t;
	th_state.tail = &t->next;
}

#define TH_CAT2(a, b) a##b
#define TH_CAT(a, b) TH_CAT2(a, b)

#define TEST(name)							\
	static void th_run_##name(void);				\
	static struct th_test th_test_##name = { #name, th_run_##name, NULL }; \
	__attribute__((constructor)) static void th_reg_##name(void)	\
	{ th_register(&th_test_##name); }				\
	static void th_run_##name(void)

#define FIXTURE(f) struct th_fixture_##f
#define FIXTURE_SETUP(f) \
	static void th_setup_##f(struct th_fixture_##f *self)
#define FIXTURE_TEARDOWN(f) \
	static void th_teardown_##f(struct th_fixture_##f *self)

#define TEST_F(f, name)							\
	static void th_body_##f##_##name(				\
		struct th_fixture_##f *self __attribute__((unused)));	\
	static void th_run_##f##_##name(void)				\
	{								\
		struct th_fixture_##f self;				\
		memset(&self, 0, sizeof(self));				\
		th_setup_##f(&self);					\
		if (!th_state.failed && !th_state.skipped)		\
			th_body_##f##_##name(&self);			\
		th_teardown_##f(&self);					\
	}								\
	static struct th_test th_test_##f##_##name =			\
		{ #f "." #name, th_run_##f##_##name, NULL };		\
	__attribute__((constructor)) static void th_reg_##f##_##name(void) \
	{ th_register(&th_test_##f##_##name); }				\
	static void th_body_##f##_##name(				\
		struct th_fixture_##f *self __attribute__((unused)))

#define TEST_SET_TIMEOUT(s) alarm(s)

/* Print a diagnostic line (TAP comment). */
#define TH_LOG(...) do {						\
		fprintf(stdout, "# ");					\
		fprintf(stdout, __VA_ARGS__);				\
		fprintf(stdout, "\n");					\
		fflush(stdout);						\
	} while (0)

#define TH_FAIL_AT(fatal, ...) do {					\
		TH_LOG("%s:%d: ", __FILE__, __LINE__);			\
		TH_LOG(__VA_ARGS__);					\
		th_state.failed = 1;					\
		if (fatal)						\
			_exit(1);					\
	} while (0)

#define TH_CMP(fatal, op, exp, act) do {				\
		long long th_e = (long long)(exp);			\
		long long th_a = (long long)(act);			\
		if (!(th_e op th_a))					\
			TH_FAIL_AT(fatal, "expected %s (%lld) " #op " %s (%lld)%s%s", \
				   #exp, th_e, #act, th_a,		\
				   errno ? ", errno: " : "",		\
				   errno ? strerror(errno) : "");	\
	} while (0)

#define ASSERT_EQ(e, a) TH_CMP(1, ==, e, a)
#define ASSERT_NE(e, a) TH_CMP(1, !=, e, a)
#define ASSERT_LT(e, a) TH_CMP(1, <, e, a)
#define ASSERT_LE(e, a) TH_CMP(1, <=, e, a)
#define ASSERT_GT(e, a) TH_CMP(1, >, e, a)
#define ASSERT_GE(e, a) TH_CMP(1, >=, e, a)
#define ASSERT_TRUE(c) TH_CMP(1, !=, 0, !!(c))
#define ASSERT_FALSE(c) TH_CMP(1, ==, 0, !!(c))
#define EXPECT_EQ(e, a) TH_CMP(0, ==, e, a)
#define EXPECT_NE(e, a) TH_CMP(0, !=, e, a)
#define EXPECT_LT(e, a) TH_CMP(0, <, e, a)
#define EXPECT_LE(e, a) TH_CMP(0, <=, e, a)
#define EXPECT_GT(e, a) TH_CMP(0, >, e, a)
#define EXPECT_GE(e, a) TH_CMP(0, >=, e, a)
#define EXPECT_TRUE(c) TH_CMP(0, !=, 0, !!(c))
#define EXPECT_FALSE(c) TH_CMP(0, ==, 0, !!(c))

#define TH_STR(fatal, exp, act) do {					\
		const char *th_es = (exp), *th_as = (act);		\
		if (!th_es || !th_as || strcmp(th_es, th_as))		\
			TH_FAIL_AT(fatal, "expected \"%s\", got \"%s\"", \
				   th_es ? th_es : "(null)",		\
				   th_as ? th_as : "(null)");		\
	} while (0)
#define ASSERT_STREQ(e, a) TH_STR(1, e, a)
#define EXPECT_STREQ(e, a) TH_STR(0, e, a)

/* Ends the test as skipped: only for a missing optional kernel feature. */
#define SKIP(...) do {							\
		TH_LOG(__VA_ARGS__);					\
		_exit(77);						\
	} while (0)

static inline int th_selected(const struct th_test *t, int argc, char **argv)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], t->name))
			return 1;
	return 0;
}

static inline int th_run_one(const struct th_test *t, unsigned int n)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("not ok %u - %s # fork: %s\n", n, t->name, strerror(errno));
		return 1;
	}
	if (pid == 0) {
		alarm(th_state.timeout);
		t->run();
		fflush(stdout);
		_exit(th_state.failed ? 1 : 0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("ok %u - %s\n", n, t->name);
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
		printf("ok %u - %s # SKIP\n", n, t->name);
		return 0;
	}
	if (WIFSIGNALED(status))
		printf("not ok %u - %s # killed by signal %d%s\n", n, t->name,
		       WTERMSIG(status),
		       WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
	else
		printf("not ok %u - %s\n", n, t->name);
	return 1;
}

#define TEST_MAIN()							\
	TH_STATE_DEFINE;						\
	int main(int argc, char **argv)					\
	{								\
		const char *to = getenv("TEST_TIMEOUT");		\
		unsigned int n = 0, total = 0, failed = 0;		\
		struct th_test *t;					\
		setvbuf(stdout, NULL, _IOLBF, 0);			\
		th_state.timeout = to ? (unsigned int)atoi(to) : 60;	\
		for (t = th_state.head; t; t = t->next)			\
			total += th_selected(t, argc, argv);		\
		printf("1..%u\n", total);				\
		for (t = th_state.head; t; t = t->next)			\
			if (th_selected(t, argc, argv))			\
				failed += th_run_one(t, ++n);		\
		return failed ? 1 : 0;					\
	}

#endif /* KTLS_LUA_TEST_HARNESS_H */
