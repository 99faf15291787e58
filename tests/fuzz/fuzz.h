/*
 * fuzz.h -- the libFuzzer entry points every harness in tests/fuzz defines.
 *
 * A harness is a source with LLVMFuzzerTestOneInput (and, when it needs
 * set-up, LLVMFuzzerInitialize): fuzz_date.c, fuzz_http.c, and
 * fuzz_import.c built once per importer.  It is linked twice (CMake's
 * tldb_fuzz()): with libFuzzer into fuzz_NAME (clang, -DTLDB_FUZZ=ON, `make
 * fuzz`), and with replay.c into replay_NAME, a plain program that runs
 * the checked-in corpus and crash inputs as a CTest test.
 *
 * A harness may keep state across inputs (a plugin registry, a database)
 * but each input must leave it as it found it, so an input does the same
 * whatever ran before it: a crash found by the fuzzer then replays alone.
 * A harness calls abort() when an input breaks a promise of the code it
 * drives (not only on a crash), so the fuzzer saves that input.
 */
#ifndef TLDB_FUZZ_H
#define TLDB_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Runs one input; data[0..size) is borrowed for the call and is not
 * NUL-terminated.  Returns 0 (libFuzzer reserves other values). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Optional: called once before the first input with main's arguments. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

#endif /* TLDB_FUZZ_H */
