/*
 * A set of byte strings with a payload: see kset.h.
 */
#include <stdlib.h>
#include <string.h>

#include "kset.h"
#include "log.h"

static uint32_t
hash(const uint8_t *k, size_t n)
{
	uint32_t	 h = 2166136261U;
	size_t		 i;

	for (i = 0; i < n; i++)
		h = (h ^ k[i]) * 16777619U;
	return h;
}

/* the entry of key, or the free slot where it goes (the set has one) */
static struct kset_entry *
slot(const struct kset *s, const void *key, size_t klen)
{
	struct kset_entry	*e;
	size_t			 i, mask = s->cap - 1;

	for (i = hash(key, klen) & mask;; i = (i + 1) & mask) {
		e = &s->e[i];
		if (e->key == NULL || (e->klen == klen &&
		    memcmp(e->key, key, klen) == 0))
			return e;
	}
}

struct kset_entry *
kset_get(const struct kset *s, const void *key, size_t klen)
{
	struct kset_entry	*e;

	if (s->cap == 0)
		return NULL;
	e = slot(s, key, klen);
	return e->key != NULL ? e : NULL;
}

static void
place(struct kset_entry *dst, const struct kset_entry *src)
{
	*dst = *src;
	if (src->key == src->ikey)
		dst->key = dst->ikey;
}

static void
grow(struct kset *s)
{
	struct kset	 old = *s;
	size_t		 i;

	if (old.cap > SIZE_MAX / 2 / sizeof(*s->e))
		fatalx("kset: too large");
	s->cap = old.cap ? old.cap * 2 : 64;
	if ((s->e = calloc(s->cap, sizeof(*s->e))) == NULL)
		fatal(NULL);
	for (i = 0; i < old.cap; i++)
		if (old.e[i].key != NULL)
			place(slot(s, old.e[i].key, old.e[i].klen),
			    &old.e[i]);
	free(old.e);
}

struct kset_entry *
kset_put(struct kset *s, const void *key, size_t klen)
{
	struct kset_entry	*e;

	/* at most half full: every probe ends */
	if (s->n + 1 > s->cap / 2)
		grow(s);
	e = slot(s, key, klen);
	if (e->key != NULL)
		return e;
	memset(e, 0, sizeof(*e));
	if (klen <= KSET_INLINE)
		e->key = e->ikey;
	else if ((e->key = malloc(klen)) == NULL)
		fatal(NULL);
	if (klen > 0)
		memcpy(e->key, key, klen);
	e->klen = klen;
	s->n++;
	return e;
}

void
kset_free(struct kset *s)
{
	size_t	 i;

	for (i = 0; i < s->cap; i++) {
		if (s->e[i].key != s->e[i].ikey)
			free(s->e[i].key);
		free(s->e[i].text);
		free(s->e[i].aux);
	}
	free(s->e);
	memset(s, 0, sizeof(*s));
}
