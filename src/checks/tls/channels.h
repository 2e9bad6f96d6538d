/* channels: the tls.channels collector and its plaintext part, shared by the TLS judges */
#ifndef DUTLAB_CHECKS_TLS_CHANNELS_H
#define DUTLAB_CHECKS_TLS_CHANNELS_H

struct check_context;
struct dl_error;
struct json_object;
struct scan_view;

extern const struct collector collector_tls_channels;

/*
 * Add to plaintext one object per service discovery found in clear that
 * carries credentials, video or management (channels-plaintext.c):
 *
 *   {"address", "port", "proto", "service",
 *    "carries": ["credentials", "video", "management"],
 *    "reason": "telnet: a login prompt in clear",
 *    "redirects_to": "https://198.18.1.2/" | null,   plain HTTP that only redirects
 *    "evidence": discovery's pcapng of the service | null}
 *
 * An HTTP port that redirects to HTTPS before any page is listed with an
 * empty "carries": the clauses ask exactly that of it.
 */
int channels_plaintext(const struct check_context *ctx, const struct json_object *scan,
		       const struct scan_view *view, struct json_object *plaintext,
		       struct json_object *notes, struct dl_error *err);

#endif
