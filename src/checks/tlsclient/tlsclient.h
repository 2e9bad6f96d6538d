/* tlsclient: does the DUT, as a TLS client, check the server it talks to (the matrix and its judge)
 */
#ifndef DUTLAB_CHECKS_TLSCLIENT_TLSCLIENT_H
#define DUTLAB_CHECKS_TLSCLIENT_TLSCLIENT_H

struct check;
struct collector;

/* "tlsclient.matrix": for every profile tls_clients entry, dutlab plays the server with the
 * control certificate and each one-defect variant, one attempt per variant, and records what
 * the DUT did. Observation: {"clients": [{"name", "host", "port", "listen", "trigger",
 * "carries", "attempts": [...], "ocsp_requests", "crl_requests", "error"}]} */
extern const struct collector collector_tlsclient_matrix;

/* "tlsclient.validation": pass only when every bad variant was refused and the control was
 * accepted (TS-0014-1 5.3.1.2, 5.5.2.2, 5.2.3.3; IoT-1006-1 5.1.1.3, 5.1.1.4). */
extern const struct check check_tlsclient_validation;

#endif
