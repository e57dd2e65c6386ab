// OpenSSL's libcrypto (Debian's libssl-dev) for the hashes Skiff needs at disk speed: SHA-512
// (appc image IDs), SHA-256 (OCI digests) and HMAC-SHA512 (the metadata service).
#include <openssl/evp.h>
#include <openssl/hmac.h>
