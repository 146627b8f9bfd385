/*
 * fuzz.h — what every libFuzzer target of tests/fuzz/ shares (see tests/fuzz/README.md).
 *
 * A target defines LLVMFuzzerTestOneInput and calls only siyu's public functions on the
 * bytes it is given. A crash, a sanitizer report or a broken invariant (FUZZ_CHECK)
 * stops the run with the input saved.
 */
#ifndef SIYU_FUZZ_H
#define SIYU_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* An invariant of the code under test: report it and abort (libFuzzer keeps the input). */
#define FUZZ_CHECK(cond)                                                                   \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, \
				#cond);                                                    \
			abort();                                                           \
		}                                                                          \
	} while (0)

#endif /* SIYU_FUZZ_H */
