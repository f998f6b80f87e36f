/*
 * The server's key pin: see pin.h.
 */
#include <limits.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "pin.h"

int
pin_of_pem(const uint8_t *pem, size_t len, char *pin, size_t pinlen)
{
	BIO		*bio;
	X509		*x = NULL;
	unsigned char	*der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	int		 derlen, rv = -1;

	if (pinlen < PIN_B64_LEN || len == 0 || len > INT_MAX)
		return -1;
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return -1;
	if ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL)
		goto done;
	if ((derlen = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der)) <= 0)
		goto done;
	if (EVP_Digest(der, (size_t)derlen, md, &mdlen, EVP_sha256(), NULL) !=
	    1 || mdlen != 32)
		goto done;
	if (EVP_EncodeBlock((unsigned char *)pin, md, 32) != 44)
		goto done;
	rv = 0;
 done:
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(bio);
	return rv;
}
