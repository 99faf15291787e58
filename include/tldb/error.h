/*
 * error.h -- result codes of libtldb.
 *
 * Every fallible function returns an int: TLDB_OK (0) on success, a negative
 * TLDB_E* code on failure.  TLDB_DONE (1) ends iterations.  Codes are only
 * ever appended to TLDB_ERRNO_MAP, never renumbered.  The detailed message of
 * a failure is kept where the function says (a tldb handle's tldb_errmsg(), or
 * a caller's tldb_errbuf).
 */
#ifndef TLDB_ERROR_H
#define TLDB_ERROR_H

#include <stddef.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* X(name, value, description) */
#define TLDB_ERRNO_MAP(X)                                                      \
	X(EINVAL, -1, "invalid argument")                                      \
	X(ENOMEM, -2, "out of memory")                                         \
	X(EDATE, -3, "invalid date")                                           \
	X(ENOTFOUND, -4, "not found")                                          \
	X(EEXIST, -5, "already exists")                                        \
	X(EIO, -6, "input/output error")                                       \
	X(EBUSY, -7, "database is busy")                                       \
	X(ECORRUPT, -8, "database is corrupt")                                 \
	X(ENOTDB, -9, "not a tldb database")                                   \
	X(ESCHEMA, -10, "database schema is newer than this tldb")             \
	X(EREADONLY, -11, "database is read-only")                             \
	X(ETOOBIG, -12, "value too large")                                     \
	X(EZONE, -13, "unknown time zone")                                     \
	X(EINTERNAL, -14, "internal error")                                    \
	X(EPLUGIN, -15, "plugin refused or failed")                            \
	X(EINPUT, -16, "bad input")                                            \
	X(EAMBIGUOUS, -17, "names more than one event")

enum {
	TLDB_OK = 0,
	TLDB_DONE = 1,
#define TLDB_ERRNO_ENUM_(name, value, text) TLDB_##name = (value),
	TLDB_ERRNO_MAP(TLDB_ERRNO_ENUM_)
#undef TLDB_ERRNO_ENUM_
};

/* A fixed buffer that receives the message of a failed call.  `column` is the
 * 1-based character column (in the input the call was given) of the bad part,
 * or 0 when the failure has no position. */
typedef struct tldb_errbuf {
	char msg[256];
	int column;
} tldb_errbuf;

/* Returns a static description of `code` ("invalid date"); never NULL. */
TLDB_API const char *tldb_strerror(int code);

/* Returns the static name of `code` ("TLDB_EDATE"); never NULL. */
TLDB_API const char *tldb_err_name(int code);

#ifdef __cplusplus
}
#endif

#endif /* TLDB_ERROR_H */
