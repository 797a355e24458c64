/* SPDX-License-Identifier: Apache-2.0 */
/* names.h - Kubernetes name and label syntax (label keys and values, DNS-1123
 * labels and subdomains) and the closest-match lookup for typo messages.
 * Pure functions; each check returns false and writes a short reason into why. */
#ifndef MG_NAMES_H
#define MG_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* A label key: optional DNS-1123 subdomain prefix (at most 253) and '/', then a name
 * of at most 63 characters [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?. */
bool mg_name_label_key_ok(const char *key, char *why, size_t whylen);

/* A label value: empty, or at most 63 characters of the name form above. */
bool mg_name_label_value_ok(const char *value, char *why, size_t whylen);

/* A DNS-1123 label: at most 63 of [a-z0-9-], starting and ending alphanumeric. */
bool mg_name_dns1123_label_ok(const char *name, char *why, size_t whylen);

/* A DNS-1123 subdomain: at most 253, dot-separated DNS-1123 labels
 * (lowercase alphanumerics, '-' and '.', starting and ending alphanumeric). */
bool mg_name_dns1123_subdomain_ok(const char *name, char *why, size_t whylen);

/* The candidate closest to word by edit distance (case-insensitive), or NULL when
 * none is within distance max(2, strlen(word)/3). Borrows from candidates. */
const char *mg_name_closest(const char *word, const char *const *candidates, size_t n);

#endif
