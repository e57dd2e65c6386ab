// OpenSSL's libcrypto (Debian's libssl-dev) for the hashes Skiff needs at disk speed: SHA-512
// (appc image IDs), SHA-256 (OCI digests) and HMAC-SHA512 (the metadata service).
//
// The hashes go through the low-level SHA-2 functions (deprecated in OpenSSL 3, not removed: the
// same assembly as the EVP interface). EVP's first digest of a process loads the configuration
// and builds the default provider's name tables, about 0.3 ms that every `skiff run` paid for
// two short hashes; HMAC still uses EVP (the metadata service only).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/hmac.h>
