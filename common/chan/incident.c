/*
 * An incident request and its answer, encoded one way: see incident.h.
 */
#include <string.h>

#include "chan/incident.h"

const char *
incident_kind_name(int k)
{
	switch (k) {
	case INC_SERVICE:
		return "service";
	case INC_SUPPLY:
		return "supply";
	}
	return "unknown";
}

int
incident_text_ok(const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

int
incident_index_ok(const char *s)
{
	size_t	 i, n = strlen(s);

	if (n == 0 || n >= INC_INDEX_MAX || s[0] == '.' || s[n - 1] == '.')
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return -1;
		} else if (s[i] < '0' || s[i] > '9')
			return -1;
	}
	return 0;
}

int
incident_req_check(const struct incident_req *r, const char **why)
{
	uint32_t	 i, j;
	int		 contact;

	*why = NULL;
	if (r->kind != INC_SERVICE && r->kind != INC_SUPPLY)
		*why = "unknown kind of incident";
	else if (r->send > 1)
		*why = "bad send flag";
	else if (r->device[0] == '\0' || !incident_text_ok(r->device))
		*why = "no device, or a device name with control characters";
	else if (!incident_text_ok(r->problem) ||
	    !incident_text_ok(r->name) || !incident_text_ok(r->email) ||
	    !incident_text_ok(r->phone))
		*why = "control characters in a text";
	if (*why != NULL)
		return -1;
	contact = r->name[0] != '\0' || r->email[0] != '\0' ||
	    r->phone[0] != '\0';
	if (r->kind == INC_SERVICE) {
		if (r->problem[0] == '\0')
			*why = "a service incident needs --problem";
		else if (r->nsupplies != 0)
			*why = "a service incident names no supply";
		else if (contact && r->name[0] == '\0')
			*why = "a contact needs a name";
		else if (contact && r->email[0] == '\0' && r->phone[0] == '\0')
			*why = "a contact needs an e-mail address or a phone";
		else if (r->email[0] != '\0' && strchr(r->email, '@') == NULL)
			*why = "the contact's e-mail address has no @";
		return *why == NULL ? 0 : -1;
	}
	if (r->problem[0] != '\0' || contact)
		*why = "a supply request has no problem text or contact";
	else if (r->nsupplies == 0 || r->nsupplies > INC_SUPPLIES_MAX)
		*why = "a supply request names 1 to 16 supplies";
	if (*why != NULL)
		return -1;
	for (i = 0; i < r->nsupplies; i++) {
		if (incident_index_ok(r->supplies[i]) == -1) {
			*why = "a supply index is digits and dots (\"1\", "
			    "\"1.2\")";
			return -1;
		}
		for (j = 0; j < i; j++)
			if (strcmp(r->supplies[i], r->supplies[j]) == 0) {
				*why = "a supply named twice";
				return -1;
			}
	}
	return 0;
}

void
wbuf_incident_req(struct wbuf *w, const struct incident_req *r)
{
	uint32_t	 i;

	wbuf_u8(w, r->kind);
	wbuf_u8(w, r->send);
	wbuf_u32(w, r->uid);
	wbuf_str(w, r->device);
	wbuf_str(w, r->problem);
	wbuf_str(w, r->name);
	wbuf_str(w, r->email);
	wbuf_str(w, r->phone);
	wbuf_u32(w, r->nsupplies);
	for (i = 0; i < r->nsupplies && i < INC_SUPPLIES_MAX; i++)
		wbuf_str(w, r->supplies[i]);
}

void
rbuf_incident_req(struct rbuf *rb, struct incident_req *r)
{
	uint32_t	 i;

	memset(r, 0, sizeof(*r));
	r->kind = rbuf_u8(rb);
	r->send = rbuf_u8(rb);
	r->uid = rbuf_u32(rb);
	rbuf_str(rb, r->device, sizeof(r->device));
	rbuf_str(rb, r->problem, sizeof(r->problem));
	rbuf_str(rb, r->name, sizeof(r->name));
	rbuf_str(rb, r->email, sizeof(r->email));
	rbuf_str(rb, r->phone, sizeof(r->phone));
	r->nsupplies = rbuf_u32(rb);
	if (r->nsupplies > INC_SUPPLIES_MAX) {
		rb->err = 1;
		return;
	}
	for (i = 0; i < r->nsupplies; i++)
		rbuf_str(rb, r->supplies[i], sizeof(r->supplies[i]));
}

int
msg_incident_req_decode(const void *p, size_t len, struct incident_req *r)
{
	struct rbuf	 rb;
	const char	*why;

	rbuf_init(&rb, p, len);
	rbuf_incident_req(&rb, r);
	if (rbuf_done(&rb) == -1 || incident_req_check(r, &why) == -1)
		return -1;
	return 0;
}

void
msg_incident_done_encode(struct wbuf *w, const struct incident_done *d)
{
	wbuf_u8(w, d->result);
	wbuf_i64(w, d->id);
	wbuf_str(w, d->text);
}

int
msg_incident_done_decode(const void *p, size_t len, struct incident_done *d)
{
	struct rbuf	 rb;

	memset(d, 0, sizeof(*d));
	rbuf_init(&rb, p, len);
	d->result = rbuf_u8(&rb);
	d->id = rbuf_i64(&rb);
	rbuf_str(&rb, d->text, sizeof(d->text));
	if (rbuf_done(&rb) == -1 || d->result > INC_DONE_BUSY ||
	    (d->result == INC_DONE_OK) != (d->id > 0) || d->text[0] == '\0')
		return -1;
	return 0;
}
