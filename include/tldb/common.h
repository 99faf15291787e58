/*
 * common.h -- macros shared by every public tldb header.
 *
 * TLDB_API marks a function exported from libtldb; everything else in the
 * library is hidden (-fvisibility=hidden).  TLDB_NODISCARD makes an ignored
 * result code a compiler warning.
 */
#ifndef TLDB_COMMON_H
#define TLDB_COMMON_H

#if defined(TLDB_BUILDING_LIBRARY) && defined(__GNUC__)
#define TLDB_API __attribute__((visibility("default")))
#else
#define TLDB_API
#endif

#if defined(__GNUC__)
#define TLDB_NODISCARD __attribute__((warn_unused_result))
#else
#define TLDB_NODISCARD
#endif

#define TLDB_VERSION_MAJOR  0
#define TLDB_VERSION_MINOR  1
#define TLDB_VERSION_PATCH  0
#define TLDB_VERSION_STRING "0.1.0"

#endif /* TLDB_COMMON_H */
