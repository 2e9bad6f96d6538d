/* tls-audit-json: the TLS endpoint JSON (notes/tls-audit-spec.md) from the audit's results */
#include "core/compat.h"

#include <json-c/json.h>

#include "checks/tls/tls-engine.h"
#include "core/error.h"
#include "proto/tls-suites.h"
#include "proto/tls.h"

static const char *ssl2_cipher_name(uint32_t kind)
{
	switch (kind) {
	case TLS_SSL2_RC4_128_WITH_MD5: return "SSL_CK_RC4_128_WITH_MD5";
	case TLS_SSL2_RC4_128_EXPORT40_WITH_MD5: return "SSL_CK_RC4_128_EXPORT40_WITH_MD5";
	case TLS_SSL2_RC2_128_CBC_WITH_MD5: return "SSL_CK_RC2_128_CBC_WITH_MD5";
	case TLS_SSL2_RC2_128_CBC_EXPORT40_WITH_MD5: return "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5";
	case TLS_SSL2_IDEA_128_CBC_WITH_MD5: return "SSL_CK_IDEA_128_CBC_WITH_MD5";
	case TLS_SSL2_DES_64_CBC_WITH_MD5: return "SSL_CK_DES_64_CBC_WITH_MD5";
	case TLS_SSL2_DES_192_EDE3_CBC_WITH_MD5: return "SSL_CK_DES_192_EDE3_CBC_WITH_MD5";
	}
	return "unknown";
}

static const char *approved_name(enum tls_approved a)
{
	switch (a) {
	case TLS_APPROVED_YES: return "yes";
	case TLS_APPROVED_NO: return "no";
	case TLS_APPROVED_LEGACY: return "legacy";
	}
	return "no";
}

static struct json_object *tristate(enum tls_tristate t)
{
	return t == TLS_UNKNOWN ? NULL : json_object_new_boolean(t == TLS_YES);
}

static void put(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static struct json_object *suite_json(enum tls_engine_version v, const struct tls_found_suite *f)
{
	struct json_object *s = json_object_new_object();
	const struct tls_suite *t = tls_suite_by_code(f->code);
	char unknown[32];
	put(s, "version", json_object_new_string(tls_engine_version_label(v)));
	put(s, "code", json_object_new_int(f->code));
	if (!t) {
		/* accepted but not in the IANA table: name it by its code */
		snprintf(unknown, sizeof(unknown), "UNKNOWN_0x%04x", f->code);
		put(s, "name", json_object_new_string(unknown));
		return s;
	}
	put(s, "name", json_object_new_string(t->name));
	put(s, "kx", json_object_new_string(tls_kx_name(t->kx)));
	put(s, "auth", json_object_new_string(tls_auth_name(t->auth)));
	put(s, "cipher", json_object_new_string(tls_cipher_name(t->cipher)));
	put(s, "bits", json_object_new_int(t->key_bits));
	put(s, "mode", json_object_new_string(tls_mode_name(t->mode)));
	put(s, "mac", json_object_new_string(tls_mac_name(t->mac)));
	put(s, "forward_secrecy", json_object_new_boolean(t->forward_secrecy));
	put(s, "approved", json_object_new_string(approved_name(t->approved)));
	put(s, "strength", json_object_new_string(tls_strength_name(t->strength)));
	put(s, "export", json_object_new_boolean(t->export));
	const struct tls_group *g = f->group ? tls_group_by_code(f->group) : NULL;
	put(s, "group", g ? json_object_new_string(g->name) : NULL);
	put(s, "kx_bits", f->kx_bits ? json_object_new_int((int32_t)f->kx_bits) : NULL);
	return s;
}

static struct json_object *groups_json(const struct tls_engine *e)
{
	struct json_object *list = json_object_new_array();
	for (size_t i = 0; i < tls_group_count && i < TLS_ENGINE_GROUPS_MAX; i++) {
		if (!e->group_tls12[i] && !e->group_tls13[i])
			continue;
		const struct tls_group *g = &tls_groups[i];
		struct json_object *o = json_object_new_object();
		static const char *const kinds[] = {"ec", "ffdhe", "hybrid", "other"};
		put(o, "name", json_object_new_string(g->name));
		put(o, "code", json_object_new_int(g->code));
		put(o, "kind", json_object_new_string(kinds[g->kind]));
		put(o, "bits", json_object_new_int(g->bits));
		struct json_object *versions = json_object_new_array();
		if (e->group_tls12[i])
			json_object_array_add(versions,
					      json_object_new_string(tls_engine_version_label(
						      tls_engine_best_legacy(e))));
		if (e->group_tls13[i])
			json_object_array_add(versions, json_object_new_string("TLSv1.3"));
		put(o, "versions", versions);
		json_object_array_add(list, o);
	}
	return list;
}

static struct json_object *vulnerability_json(const struct tls_vulnerability *v, bool asked)
{
	struct json_object *o = json_object_new_object();
	put(o, "tested", json_object_new_boolean(asked && v->tested));
	put(o, "vulnerable", asked && v->tested ? json_object_new_boolean(v->vulnerable) : NULL);
	put(o, "detail", json_object_new_string(asked ? v->detail : "not requested"));
	return o;
}

static enum tls_tristate secure_renegotiation(const struct tls_engine *e)
{
	/* the highest legacy version answers for the server; TLS 1.3 alone: null */
	enum tls_engine_version v = tls_engine_best_legacy(e);
	if (v == TLS_ENGINE_VERSIONS)
		return TLS_UNKNOWN;
	return e->versions[v].renegotiation_info;
}

int tls_audit_json(const struct tls_engine *e, const char *address, uint16_t port,
		   int64_t duration_ns, const char *incomplete, struct json_object *certificates,
		   struct json_object **out, struct dl_error *err)
{
	struct json_object *o = json_object_new_object();
	if (!o) {
		json_object_put(certificates);
		return dl_error_set(err, DL_ENOMEM, "tls audit: out of memory for the JSON");
	}
	put(o, "address", json_object_new_string(address));
	put(o, "port", json_object_new_int(port));
	put(o, "server_name",
	    e->prober.server_name ? json_object_new_string(e->prober.server_name) : NULL);
	put(o, "speaks_tls", json_object_new_boolean(atomic_load(&e->speaks_tls)));
	put(o, "complete", json_object_new_boolean(incomplete == NULL));
	put(o, "incomplete", incomplete ? json_object_new_string(incomplete) : NULL);
	put(o, "connections", json_object_new_int64((int64_t)atomic_load(&e->prober.connections)));
	put(o, "duration_ms", json_object_new_int64(duration_ns / 1000000));
	struct json_object *versions = json_object_new_array();
	struct json_object *suites = json_object_new_array();
	struct json_object *preference = json_object_new_object();
	for (int v = 0; v < TLS_ENGINE_VERSIONS; v++) {
		const struct tls_version_result *vr = &e->versions[v];
		struct json_object *x = json_object_new_object();
		put(x, "name", json_object_new_string(tls_engine_version_label(v)));
		put(x, "code", json_object_new_int(tls_engine_version_code(v)));
		put(x, "offered", json_object_new_boolean(vr->offered));
		json_object_array_add(versions, x);
		if (v == TLS_ENGINE_SSL2)
			continue;
		for (size_t i = 0; i < vr->suite_count; i++)
			json_object_array_add(suites, suite_json(v, &vr->suites[i]));
		if (vr->offered)
			put(preference, tls_engine_version_label(v),
			    tristate(vr->server_preference));
	}
	put(o, "versions", versions);
	put(o, "suites", suites);
	struct json_object *ssl2 = json_object_new_array();
	for (size_t i = 0; i < e->ssl2_cipher_count; i++) {
		char code[16];
		struct json_object *c = json_object_new_object();
		snprintf(code, sizeof(code), "0x%06" PRIx32, e->ssl2_ciphers[i]);
		put(c, "code", json_object_new_string(code));
		put(c, "name", json_object_new_string(ssl2_cipher_name(e->ssl2_ciphers[i])));
		json_object_array_add(ssl2, c);
	}
	put(o, "sslv2_ciphers", ssl2);
	put(o, "server_preference", preference);
	put(o, "groups", groups_json(e));
	put(o, "dh_bits", e->dh_bits_min ? json_object_new_int((int32_t)e->dh_bits_min) : NULL);
	put(o, "compression", tristate(e->compression));
	put(o, "secure_renegotiation", tristate(secure_renegotiation(e)));
	put(o, "fallback_scsv", tristate(e->fallback_scsv));
	put(o, "heartbleed", vulnerability_json(&e->heartbleed, e->vulnerabilities));
	put(o, "ccs_injection", vulnerability_json(&e->ccs_injection, e->vulnerabilities));
	put(o, "certificates", certificates);
	put(o, "probes_unanswered", json_object_new_int64((int64_t)atomic_load(&e->prober.lost)));
	put(o, "evidence", NULL);
	*out = o;
	return 0;
}
