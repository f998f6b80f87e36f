/*
 * The admission to commsd's queue of documents (commsd/pool.c): a
 * document waits only when the workers, at the measured average time of
 * a job, can be expected to reach it within COMMS_QUEUE_WAIT_MS.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../commsd/commsd.h"
#include "../../commsd/worker.h"
#include "test.h"

TEST(one_per_worker_always)
{
	/* even at an hour a job, each worker may have one waiting */
	CHECK(comms_pool_admit(0, 2, 512, COMMS_JOB_MAX_US));
	CHECK(comms_pool_admit(1, 2, 512, COMMS_JOB_MAX_US));
	CHECK(!comms_pool_admit(2, 2, 512, COMMS_JOB_MAX_US));
	CHECK(!comms_pool_admit(0, 0, 512, 1));
}

TEST(guess_before_the_first_answer)
{
	unsigned int	 q, w = 2;

	/* 250 ms a job, 1 s of wait: 4 rounds of 2 workers */
	for (q = 0; comms_pool_admit(q, w, 512, COMMS_JOB_GUESS_US); q++)
		;
	CHECK_EQ_INT(q, 8);
}

TEST(measured_fast_jobs_queue_more)
{
	unsigned int	 q;

	/* 3 ms a job: 333 rounds of 2 workers, within the cap of 1024 */
	for (q = 0; comms_pool_admit(q, 2, 1024, 3000); q++)
		;
	CHECK_EQ_INT(q, 666);
	for (q = 0; comms_pool_admit(q, 2, 512, 1); q++)
		;
	CHECK_EQ_INT(q, 512);	/* the cap */
	CHECK(!comms_pool_admit(512, 2, 512, 0));
}

TEST(average_moves_an_eighth)
{
	uint64_t	 a;
	int		 i;

	CHECK_EQ_INT(comms_pool_average(0, 4000), 4000);
	CHECK_EQ_INT(comms_pool_average(8000, 0), 7000);
	/* from the guess, a run of 3 ms jobs brings it near 3 ms */
	a = COMMS_JOB_GUESS_US;
	for (i = 0; i < 60; i++)
		a = comms_pool_average(a, 3000);
	CHECK(a < 3100);
	/* a worker killed at its deadline raises it at once */
	a = comms_pool_average(a, 10 * 1000000);
	CHECK(a > 1000000);
	/* a job of more than an hour counts as an hour: no overflow */
	CHECK_EQ_INT(comms_pool_average(COMMS_JOB_MAX_US, UINT64_MAX),
	    COMMS_JOB_MAX_US);
}

TEST_MAIN_BEGIN("test_commsd_pool")
	RUN(one_per_worker_always);
	RUN(guess_before_the_first_answer);
	RUN(measured_fast_jobs_queue_more);
	RUN(average_moves_an_eighth);
TEST_MAIN_END
