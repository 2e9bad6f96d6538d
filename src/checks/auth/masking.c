/* masking: the auth.masking collector and check: is a typed password ever shown (web password
 * inputs, telnet echo) */
#include "core/compat.h"

#include <curl/curl.h>
#include <json-c/json.h>

#include "adapters/login.h"
#include "checks/auth/auth-internal.h"
#include "checks/check.h"
#include "core/error.h"
#include "core/json-read.h"
#include "core/profile.h"
#include "net/scope.h"
#include "net/sock.h"
#include "proto/html-form.h"

/*
 * NCC 5.3.1.5: "輸入之通行碼應以特殊符號遮蔽". Decision #17: a CLI that
 * echoes nothing counts as masked; over SSH the password is typed into the
 * client, not the DUT, so SSH is out of scope; a web field must be
 * <input type="password">. For every HTTP login adapter we GET its login
 * page (form_url, else login_url, else "/" when login_url is an API) and
 * read the password input; a page that only challenges (401 Basic/Digest)
 * leaves the typing to the browser's own dialog, which masks it: reported
 * as masked by the client. For telnet we log in with the test (else the
 * first) credential and take the adapter's password_echoed.
 */

#define PAGE_MAX (512 * 1024)
#define INPUTS_MAX 32
#define FETCH_SECONDS 10

struct page {
	char *body;
	size_t length;
	long status;
	bool challenge; /* WWW-Authenticate */
	char error[CURL_ERROR_SIZE];
	const struct check_context *ctx;
	const char *interface;
};

static curl_socket_t open_socket(void *opaque, curlsocktype purpose, struct curl_sockaddr *address)
{
	struct page *p = opaque;
	if (purpose != CURLSOCKTYPE_IPCXN || address->addrlen > sizeof(struct sockaddr_storage))
		return CURL_SOCKET_BAD;
	struct sock_address a = {.length = address->addrlen};
	memcpy(&a.storage, &address->addr, address->addrlen);
	int fd = -1;
	struct dl_error err = {0};
	if (sock_open(p->ctx->scope, &a, address->socktype, address->protocol, p->interface, &fd,
		      &err) < 0) {
		snprintf(p->error, sizeof(p->error), "%.200s", err.message);
		return CURL_SOCKET_BAD;
	}
	return fd;
}

static size_t on_body(char *data, size_t size, size_t count, void *opaque)
{
	struct page *p = opaque;
	size_t n = size * count;
	size_t keep = n < PAGE_MAX - p->length ? n : PAGE_MAX - p->length;
	memcpy(p->body + p->length, data, keep);
	p->length += keep;
	p->body[p->length] = '\0';
	return n;
}

static size_t on_header(char *data, size_t size, size_t count, void *opaque)
{
	struct page *p = opaque;
	size_t n = size * count;
	if (n >= 17 && strncasecmp(data, "WWW-Authenticate:", 17) == 0)
		p->challenge = true;
	return n;
}

/* GET url into p; 0, or DL_EIO / DL_ESCOPE with err. */
static int fetch(const struct check_context *ctx, const char *url, const char *address,
		 struct page *p, struct dl_error *err)
{
	p->length = 0;
	p->status = 0;
	p->challenge = false;
	p->error[0] = '\0';
	p->body[0] = '\0';
	p->ctx = ctx;
	p->interface = sock_interface(ctx->scope);
	int rc = scope_permit_text(ctx->scope, address, p->interface, err);
	if (rc < 0)
		return rc;
	int timeout_ms = sock_remaining_ms(ctx->deadline_ns, FETCH_SECONDS * 1000);
	if (timeout_ms <= 0)
		return dl_error_set(err, DL_ETIMEDOUT, "auth.masking: no time left to fetch %s",
				    url);
	CURL *curl = curl_easy_init();
	if (!curl)
		return dl_error_set(err, DL_ENOMEM, "libcurl: cannot start a transfer");
	char curl_error[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "dutlab/0.1");
	curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, p);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, p);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, p);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
	CURLcode code = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &p->status);
	curl_easy_cleanup(curl);
	if (code != CURLE_OK && p->status == 0)
		return dl_error_set(err, p->error[0] ? DL_ESCOPE : DL_EIO, "GET %s: %s", url,
				    p->error[0]     ? p->error
				    : curl_error[0] ? curl_error
						    : curl_easy_strerror(code));
	return 0;
}

/* ---- the password inputs of a page ----------------------------------------- */

struct input {
	char name[HTML_NAME_MAX];
	char type[16];
};

/* The inputs of an HTML page that carry a password: type password, or
 * the profile's password_field, or (without one) a name or id that says
 * "pass"/"pwd" (html-form.c reads the tags). */
static size_t password_inputs(const char *html, size_t length, const char *field, struct input *out,
			      size_t max)
{
	struct html_forms *forms = calloc(1, sizeof(*forms));
	struct dl_error err = {0};
	size_t n = 0;
	if (!forms || html_form_parse(html, length, forms, &err) != 0) {
		free(forms);
		return 0;
	}
	for (size_t f = 0; f < forms->form_count; f++) {
		const struct html_form *form = &forms->forms[f];
		for (size_t i = 0; i < form->input_count && n < max; i++) {
			const struct html_input *in = &form->inputs[i];
			const char *name = in->name[0] ? in->name : in->id;
			bool named = field ? strcmp(name, field) == 0
					   : (strcasestr(name, "pass") || strcasestr(name, "pwd"));
			if (strcmp(in->type, "password") != 0 &&
			    (!named || strcmp(in->type, "hidden") == 0 ||
			     strcmp(in->type, "submit") == 0 || strcmp(in->type, "checkbox") == 0))
				continue;
			snprintf(out[n].name, sizeof(out[n].name), "%s", name);
			snprintf(out[n].type, sizeof(out[n].type), "%s", in->type);
			n++;
		}
	}
	free(forms);
	return n;
}

static bool http_driver(const char *driver)
{
	return strncmp(driver, "http-", 5) == 0;
}

/* One HTTP login plane: its page, its password inputs. */
static void observe_web(const struct check_context *ctx, const struct auth_run *r,
			const struct profile_adapter *a, struct page *page, struct json_object *e)
{
	bool tls = strcmp(profile_adapter_option(a, "tls") ? profile_adapter_option(a, "tls")
							   : "false",
			  "true") == 0;
	const char *field = profile_adapter_option(a, "password_field");
	const char *paths[3] = {profile_adapter_option(a, "form_url"),
				profile_adapter_option(a, "login_url"), "/"};
	bool v6 = strchr(r->address, ':') != NULL;
	struct json_object *tried = json_object_new_array();
	json_object_object_add(e, "fetched", tried);
	bool challenge = false;
	for (size_t i = 0; i < 3; i++) {
		if (!paths[i] || (i == 2 && paths[0]))
			continue;
		char url[1024];
		snprintf(url, sizeof(url), "%s://%s%s%s:%u%s", tls ? "https" : "http",
			 v6 ? "[" : "", r->address, v6 ? "]" : "", a->port, paths[i]);
		struct dl_error err = {0};
		int rc = fetch(ctx, url, r->address, page, &err);
		struct json_object *f = json_object_new_object();
		json_object_array_add(tried, f);
		json_object_object_add(f, "url", json_object_new_string(url));
		if (rc) {
			json_object_object_add(f, "error", json_object_new_string(err.message));
			continue;
		}
		json_object_object_add(f, "status", json_object_new_int((int)page->status));
		challenge = challenge || page->challenge;
		struct input inputs[INPUTS_MAX];
		size_t n = password_inputs(page->body, page->length, field, inputs, INPUTS_MAX);
		if (n == 0)
			continue;
		struct json_object *list = json_object_new_array();
		bool masked = true;
		for (size_t k = 0; k < n; k++) {
			struct json_object *in = json_object_new_object();
			json_object_object_add(in, "name", json_object_new_string(inputs[k].name));
			json_object_object_add(in, "type", json_object_new_string(inputs[k].type));
			json_object_array_add(list, in);
			masked = masked && strcmp(inputs[k].type, "password") == 0;
		}
		json_object_object_add(e, "kind", json_object_new_string("web-form"));
		json_object_object_add(e, "page", json_object_new_string(url));
		json_object_object_add(e, "password_inputs", list);
		json_object_object_add(e, "masked", json_object_new_boolean(masked));
		return;
	}
	if (challenge && strcmp(a->driver, "http-form") != 0 &&
	    strcmp(a->driver, "http-json") != 0) {
		json_object_object_add(e, "kind", json_object_new_string("client-dialog"));
		json_object_object_add(e, "masked", json_object_new_boolean(true));
		return;
	}
	json_object_object_add(e, "kind", json_object_new_string("undetermined"));
	json_object_object_add(e, "why",
			       json_object_new_string("no page of this login plane has a password "
						      "input and none challenges for HTTP "
						      "authentication"));
}

static void observe_telnet(const struct auth_run *r, const struct profile_adapter *a,
			   struct json_object *e, struct dl_error *err)
{
	const char *why = NULL;
	const struct profile_credential *c = auth_test_credential(r->profile, &why);
	for (size_t i = 0; !c && i < r->profile->credential_count; i++)
		if (r->profile->credentials[i].username && r->profile->credentials[i].password &&
		    strcmp(r->profile->credentials[i].role ? r->profile->credentials[i].role : "",
			   "factory_default") != 0)
			c = &r->profile->credentials[i];
	json_object_object_add(e, "kind", json_object_new_string("telnet"));
	if (!c) {
		json_object_object_add(e, "why",
				       json_object_new_string("the profile has no credential to "
							      "log in with"));
		return;
	}
	struct login_target t;
	char path[AUTH_PATH_MAX], relative[AUTH_PATH_MAX];
	auth_target(r, a, "masking", &t, path, sizeof(path), relative, sizeof(relative));
	struct login_response resp;
	memset(&resp, 0, sizeof(resp));
	if (auth_attempt(&t, c->username, c->password, &resp, NULL, err))
		return;
	json_object_object_add(e, "outcome",
			       json_object_new_string(login_outcome_name(resp.outcome)));
	json_object_object_add(e, "transcript", json_object_new_string(relative));
	if (resp.outcome == LOGIN_UNREACHABLE) {
		json_object_object_add(e, "why", json_object_new_string(resp.excerpt));
		return;
	}
	json_object_object_add(e, "password_echoed", json_object_new_boolean(resp.password_echoed));
	json_object_object_add(e, "masked", json_object_new_boolean(!resp.password_echoed));
}

static int collect_masking(const struct check_context *ctx, struct json_object **observation,
			   struct dl_error *err)
{
	*observation = NULL;
	struct auth_run *r = calloc(1, sizeof(*r));
	struct page page = {.body = malloc(PAGE_MAX + 1)};
	int rc = 0;
	if (!r || !page.body) {
		rc = dl_error_set(err, DL_ENOMEM, "auth.masking: out of memory");
		goto out;
	}
	rc = auth_run_init(r, ctx, err);
	if (rc)
		goto out;
	struct json_object *o = json_object_new_object();
	struct json_object *list = json_object_new_array();
	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "interfaces", list);
	for (size_t i = 0; i < r->adapter_count && !rc; i++) {
		const struct profile_adapter *a = r->adapters[i];
		auth_progress(r, i, r->adapter_count, a->name);
		struct json_object *e = json_object_new_object();
		json_object_array_add(list, e);
		json_object_object_add(e, "adapter", json_object_new_string(a->name));
		json_object_object_add(e, "driver", json_object_new_string(a->driver));
		json_object_object_add(e, "port", json_object_new_int(a->port));
		if (http_driver(a->driver))
			observe_web(ctx, r, a, &page, e);
		else if (strcmp(a->driver, "telnet") == 0)
			observe_telnet(r, a, e, err);
		else if (strcmp(a->driver, "ssh-password") == 0)
			json_object_object_add(e, "kind", json_object_new_string("ssh"));
		else
			json_object_object_add(e, "kind", json_object_new_string("no-typing"));
		if (err->code == DL_ETIMEDOUT)
			rc = err->code;
		dl_error_clear(err);
	}
	if (rc)
		json_object_put(o);
	else
		*observation = o;
out:
	free(page.body);
	free(r);
	return rc;
}

const struct collector collector_auth_masking = {
	.id = "auth.masking",
	.summary = "the password input of every web login page and the echo of every telnet login",
	.needs = NEED_DUT_ADDRESS | NEED_LOGIN_ADAPTER,
	.timeout_seconds = 120,
	.expected_seconds = 5,
	.collect = collect_masking,
};

/* ---- the judge ------------------------------------------------------------------ */

static int judge_masking(const struct json_object *o, const struct check_params *params,
			 const struct profile *profile, struct check_verdict *out,
			 struct dl_error *err)
{
	(void)params;
	(void)profile;
	(void)err;
	const struct json_object *list = json_read_array(o, "interfaces");
	size_t masked = 0, shown = 0, undecided = 0, in_scope = 0;
	char first[160] = "";
	for (size_t i = 0; i < json_read_length((struct json_object *)list); i++) {
		const struct json_object *e =
			json_object_array_get_idx((struct json_object *)list, i);
		const char *name = json_read_text(e, "adapter", "?");
		const char *kind = json_read_text(e, "kind", "?");
		int64_t port = json_read_int(e, "port", 0);
		if (strcmp(kind, "ssh") == 0) {
			check_verdict_add(
				out, FINDING_INFO, NULL,
				"%s (ssh-password, tcp/%" PRId64 "): out of scope: over "
				"SSH the password is typed into the client (decision #17)",
				name, port);
			continue;
		}
		if (strcmp(kind, "no-typing") == 0) {
			check_verdict_add(out, FINDING_INFO, NULL,
					  "%s (%s): no password is typed into the DUT's interface",
					  name, json_read_text(e, "driver", "?"));
			continue;
		}
		in_scope++;
		if (strcmp(kind, "web-form") == 0) {
			const struct json_object *inputs = json_read_array(e, "password_inputs");
			char fields[256] = "";
			for (size_t k = 0; k < json_read_length((struct json_object *)inputs);
			     k++) {
				const struct json_object *in =
					json_object_array_get_idx((struct json_object *)inputs, k);
				size_t n = strlen(fields);
				snprintf(fields + n, sizeof(fields) - n,
					 "%s<input name=\"%s\" type=\"%s\">", n ? ", " : "",
					 json_read_text(in, "name", ""),
					 json_read_text(in, "type", ""));
			}
			bool ok = json_read_true(e, "masked");
			check_verdict_add(out, ok ? FINDING_PASS : FINDING_FAIL, NULL,
					  "%s (%s, tcp/%" PRId64 "): %s: %s", name,
					  json_read_text(e, "driver", "?"), port,
					  json_read_text(e, "page", "?"), fields);
			if (ok) {
				masked++;
			} else {
				shown++;
				if (!first[0])
					snprintf(first, sizeof(first), "%s: %s", name, fields);
			}
		} else if (strcmp(kind, "client-dialog") == 0) {
			masked++;
			check_verdict_add(out, FINDING_PASS, NULL,
					  "%s (%s, tcp/%" PRId64 "): the DUT asks for HTTP "
					  "authentication; the browser's own dialog masks the "
					  "password (masked by the client, not by the DUT)",
					  name, json_read_text(e, "driver", "?"), port);
		} else if (strcmp(kind, "telnet") == 0 && json_read_member(e, "password_echoed")) {
			bool echoed = json_read_true(e, "password_echoed");
			check_verdict_add(out, echoed ? FINDING_FAIL : FINDING_PASS,
					  json_read_text(e, "transcript", NULL),
					  "%s (telnet, tcp/%" PRId64 "): the typed password %s",
					  name, port,
					  echoed ? "came back in clear"
						 : "was not echoed (no echo counts as masked, "
						   "decision #17)");
			if (echoed) {
				shown++;
				if (!first[0])
					snprintf(first, sizeof(first),
						 "%s: telnet echoes the password", name);
			} else {
				masked++;
			}
		} else {
			undecided++;
			check_verdict_add(out, FINDING_WARNING, NULL,
					  "%s (%s, tcp/%" PRId64 "): %s", name,
					  json_read_text(e, "driver", "?"), port,
					  json_read_text(e, "why", "not decided"));
		}
	}
	if (shown)
		return check_verdict_set(out, VERDICT_FAIL,
					 "%zu of %zu login interfaces show the typed password (%s)",
					 shown, in_scope, first);
	if (in_scope == 0)
		return check_verdict_set(out, VERDICT_NOT_APPLICABLE,
					 "no login interface where a password is typed into the "
					 "DUT (SSH is out of scope, decision #17)");
	if (undecided)
		return check_verdict_set(out, VERDICT_INCONCLUSIVE,
					 "%zu of %zu login interfaces could not be examined",
					 undecided, in_scope);
	return check_verdict_set(out, VERDICT_PASS,
				 "every one of %zu login interfaces masks the typed password",
				 masked);
}

const struct check check_auth_masking = {
	.id = "auth.masking",
	.summary = "password entry is masked on every web and telnet login",
	.collector = &collector_auth_masking,
	.params = NULL,
	.judge = judge_masking,
};
