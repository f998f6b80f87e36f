/*
 * Minimal unit-test harness.  Each test binary prints one line per case:
 *	ok <binary> <case>
 *	not ok <binary> <case>: file:line: expression
 * regress/run.sh counts these lines; a binary that dies without printing
 * its final "# done" line counts as one more failure.
 */
#ifndef REGRESS_TEST_H
#define REGRESS_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char	*test_prog;
extern int		 test_failed_case;
extern int		 test_nfail;

#define CHECK(e) do {							\
	if (!(e)) {							\
		printf("not ok %s %s: %s:%d: %s\n", test_prog,		\
		    test_case_name, __FILE__, __LINE__, #e);		\
		fflush(stdout);						\
		test_failed_case = 1;					\
		return;							\
	}								\
} while (0)

#define CHECK_EQ_INT(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b) {							\
		printf("not ok %s %s: %s:%d: %s == %s (%lld != %lld)\n",\
		    test_prog, test_case_name, __FILE__, __LINE__, #a, #b,\
		    _a, _b);						\
		fflush(stdout);						\
		test_failed_case = 1;					\
		return;							\
	}								\
} while (0)

#define CHECK_STR(a, b) do {						\
	const char *_a = (a), *_b = (b);				\
	if (_a == NULL || _b == NULL || strcmp(_a, _b) != 0) {		\
		printf("not ok %s %s: %s:%d: %s == %s (\"%s\" != \"%s\")\n",\
		    test_prog, test_case_name, __FILE__, __LINE__, #a, #b,\
		    _a ? _a : "(null)", _b ? _b : "(null)");		\
		fflush(stdout);						\
		test_failed_case = 1;					\
		return;							\
	}								\
} while (0)

/* a test case: static void name(void) using test_case_name */
#define TEST(name) static void name(const char *test_case_name)

#define RUN(name) do {							\
	test_failed_case = 0;						\
	name(#name);							\
	if (test_failed_case)						\
		test_nfail++;						\
	else								\
		printf("ok %s %s\n", test_prog, #name);			\
	fflush(stdout);							\
} while (0)

#define TEST_MAIN_BEGIN(progname)					\
const char *test_prog = progname;					\
int test_failed_case, test_nfail;					\
int main(int argc, char *argv[]) {					\
	(void)argc; (void)argv;						\
	setvbuf(stdout, NULL, _IOLBF, 0);

#define TEST_MAIN_END							\
	printf("# done %s\n", test_prog);				\
	return test_nfail ? 1 : 0;					\
}

#endif /* REGRESS_TEST_H */
