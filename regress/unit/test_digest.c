/*
 * common/digest.c: SHA-256 as lowercase hex, the form valid_hex64()
 * accepts (FIPS 180-2 test vectors).
 */
#include <stdint.h>
#include <string.h>

#include "digest.h"
#include "digest.h"
#include "test.h"

TEST(vectors)
{
	char	 hex[SHA256_HEX];

	CHECK(sha256_hex("abc", 3, hex) == 0);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	CHECK(sha256_hex("", 0, hex) == 0);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnop"
	    "nopq", 56, hex) == 0);
	CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
	CHECK(valid_hex64(hex));
}

TEST(bytes_not_strings)
{
	static const uint8_t	 nul[3] = { 'a', 0, 'c' };
	char			 a[SHA256_HEX], b[SHA256_HEX];

	/* a NUL inside counts, and only len bytes do */
	CHECK(sha256_hex(nul, sizeof(nul), a) == 0);
	CHECK(sha256_hex("a", 1, b) == 0);
	CHECK(strcmp(a, b) != 0);
	CHECK(sha256_hex("abcdef", 3, b) == 0);
	CHECK_STR(b, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	CHECK_EQ_INT(strlen(a), 64);
}

TEST_MAIN_BEGIN("test_digest")
	RUN(vectors);
	RUN(bytes_not_strings);
TEST_MAIN_END
