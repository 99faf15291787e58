/*
 * error.c -- names and descriptions of the TLDB_E* result codes, generated
 * from TLDB_ERRNO_MAP so the three can never disagree.
 */
#include "tldb/error.h"

TLDB_API const char *tldb_strerror(int code)
{
	switch (code) {
	case TLDB_OK:
		return "success";
	case TLDB_DONE:
		return "no more results";
#define TLDB_STRERROR_CASE_(name, value, text)                                 \
	case TLDB_##name:                                                      \
		return text;
		TLDB_ERRNO_MAP(TLDB_STRERROR_CASE_)
#undef TLDB_STRERROR_CASE_
	default:
		return "unknown error";
	}
}

TLDB_API const char *tldb_err_name(int code)
{
	switch (code) {
	case TLDB_OK:
		return "TLDB_OK";
	case TLDB_DONE:
		return "TLDB_DONE";
#define TLDB_ERR_NAME_CASE_(name, value, text)                                 \
	case TLDB_##name:                                                      \
		return "TLDB_" #name;
		TLDB_ERRNO_MAP(TLDB_ERR_NAME_CASE_)
#undef TLDB_ERR_NAME_CASE_
	default:
		return "TLDB_EUNKNOWN";
	}
}
