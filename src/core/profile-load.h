/* profile-load: validate a parsed profile document, section by section, into struct profile */
#ifndef DUTLAB_CORE_PROFILE_LOAD_H
#define DUTLAB_CORE_PROFILE_LOAD_H

struct fy_node;
struct profile;
struct yaml_doc;

#define PROFILE_FORMAT_VERSION 1

/* Fill p from the document's root (NULL for an empty document); 0 or a
 * negative DL_E* with doc->err filled. p's strings are freed by
 * profile_release(), also after a failure. */
int profile_load_document(struct yaml_doc *doc, struct profile *p, struct fy_node *root_node);

#endif
