#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# check_manifests.py - what deploy/ must say, checked on the YAML itself: kinds, webhook
# fields and coverage, the Deployment's hardening and probes, RBAC verbs, and that the
# kustomizations reference files that exist. Usage:
#   check_manifests.py SRCDIR                  the source files (base + overlay patches)
#   check_manifests.py --built NAME FILE       one `kubectl kustomize` output
import os
import sys

import yaml

failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
    return cond


def load_all(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def by_kind(docs):
    out = {}
    for d in docs:
        out.setdefault(d.get("kind"), []).append(d)
    return out


NS = "migguard"
# RULES.md section 1: (apiGroup, resource) the view lists and watches.
VIEW = {("", "namespaces"), ("", "persistentvolumeclaims"), ("", "nodes"),
        ("storage.k8s.io", "storageclasses"), ("cdi.kubevirt.io", "storageprofiles"),
        ("k8s.cni.cncf.io", "network-attachment-definitions"),
        ("migrations.kubevirt.io", "migrationpolicies"),
        ("kubevirt.io", "virtualmachines"), ("kubevirt.io", "virtualmachineinstances"),
        ("kubevirt.io", "virtualmachineinstancemigrations"), ("kubevirt.io", "kubevirts"),
        ("hco.kubevirt.io", "hyperconvergeds"),
        ("instancetype.kubevirt.io", "virtualmachineinstancetypes"),
        ("instancetype.kubevirt.io", "virtualmachineclusterinstancetypes")}
# (group, version, resource, operation) each configuration must send us.
VALIDATE = {("migrations.kubevirt.io", "v1alpha1", "migrationpolicies", op)
            for op in ("CREATE", "UPDATE", "DELETE")}
VALIDATE |= {("hco.kubevirt.io", v, "hyperconvergeds", op)
             for v in ("v1beta1", "v1") for op in ("CREATE", "UPDATE")}
VALIDATE |= {("kubevirt.io", "v1", r, op) for r in ("virtualmachines", "virtualmachineinstances")
             for op in ("CREATE", "UPDATE")}
VALIDATE |= {("kubevirt.io", "v1", "virtualmachineinstancemigrations", "CREATE")}
MUTATE = {t for t in VALIDATE if t[2] in ("hyperconvergeds", "virtualmachines",
                                          "virtualmachineinstances")}
# The failure policy decided for each resource and operation (deploy/README.md).
FAIL_CLOSED = {("migrationpolicies", "CREATE"), ("migrationpolicies", "UPDATE"),
               ("hyperconvergeds", "CREATE"), ("hyperconvergeds", "UPDATE")}


def excludes_system(sel):
    for e in (sel or {}).get("matchExpressions", []):
        if (e.get("key") == "kubernetes.io/metadata.name" and e.get("operator") == "NotIn"
                and {"kube-system", NS} <= set(e.get("values", []))):
            return True
    return False


def check_webhooks(cfg, path, want):
    kind = cfg["kind"]
    covered = set()
    names = set()
    for wh in cfg.get("webhooks", []):
        n = wh.get("name", "?")
        where = "%s %s" % (kind, n)
        check(n not in names, "%s: duplicate webhook name" % where)
        names.add(n)
        check(wh.get("admissionReviewVersions") == ["v1"], "%s: admissionReviewVersions != [v1]" % where)
        # The policy webhook writes a Lease (not on dryRun): issue 13.
        side = "NoneOnDryRun" if wh.get("name") == "policies.validate.migguard.io" else "None"
        check(wh.get("sideEffects") == side, "%s: sideEffects is not %s" % (where, side))
        t = wh.get("timeoutSeconds")
        check(isinstance(t, int) and 1 <= t <= 10,
              "%s: timeoutSeconds %r not chosen within 1..10" % (where, t))
        fp = wh.get("failurePolicy")
        check(fp in ("Fail", "Ignore"), "%s: failurePolicy %r is not set" % (where, fp))
        check(excludes_system(wh.get("namespaceSelector")),
              "%s: namespaceSelector does not exclude kube-system and %s" % (where, NS))
        svc = (wh.get("clientConfig") or {}).get("service") or {}
        check(svc.get("namespace") == NS and svc.get("name") == "migguard",
              "%s: clientConfig.service is not migguard/migguard" % where)
        check(svc.get("path") == path, "%s: path %r, want %s" % (where, svc.get("path"), path))
        check(svc.get("port", 443) == 443, "%s: service port is not 443" % where)
        for r in wh.get("rules", []):
            for g in r.get("apiGroups", []):
                for v in r.get("apiVersions", []):
                    for res in r.get("resources", []):
                        for op in r.get("operations", []):
                            covered.add((g, v, res, op))
                            want_fp = "Fail" if (res, op) in FAIL_CLOSED else "Ignore"
                            check(fp == want_fp, "%s: %s %s has failurePolicy %s, decided %s"
                                  % (where, op, res, fp, want_fp))
    missing = want - covered
    check(not missing, "%s: rules miss %s" % (kind, sorted(missing)))
    check(not (covered - want), "%s: rules send more than needed: %s"
          % (kind, sorted(covered - want)))
    return names


def pod_labels_match(selector, labels):
    ml = (selector or {}).get("matchLabels", {})
    return bool(ml) and all(labels.get(k) == v for k, v in ml.items())


def check_deployment(dep, k, fixed_uid):
    spec = dep["spec"]
    pod = spec["template"]["spec"]
    labels = spec["template"]["metadata"].get("labels", {})
    check(dep["metadata"].get("namespace") == NS, "Deployment not in namespace %s" % NS)
    check(spec.get("replicas") == 2, "Deployment replicas %r != 2" % spec.get("replicas"))
    check(pod_labels_match(spec.get("selector"), labels), "Deployment selector misses its pods")
    psc = pod.get("securityContext", {})
    check(psc.get("runAsNonRoot") is True, "pod securityContext.runAsNonRoot is not true")
    if fixed_uid:
        check(psc.get("runAsUser") == 65532, "pod runAsUser is not 65532")
    else:
        check("runAsUser" not in psc, "OpenShift: a fixed runAsUser breaks restricted-v2")
    check((psc.get("seccompProfile") or {}).get("type") == "RuntimeDefault",
          "pod seccompProfile is not RuntimeDefault")
    anti = (pod.get("affinity") or {}).get("podAntiAffinity") or {}
    terms = anti.get("preferredDuringSchedulingIgnoredDuringExecution", []) + \
        anti.get("requiredDuringSchedulingIgnoredDuringExecution", [])
    check(any(pod_labels_match((t.get("podAffinityTerm", t)).get("labelSelector"), labels)
              for t in terms), "no podAntiAffinity between the replicas")
    sas = [s["metadata"]["name"] for s in k.get("ServiceAccount", [])]
    check(pod.get("serviceAccountName") in sas, "serviceAccountName is not a ServiceAccount here")
    c = pod["containers"][0]
    sc = c.get("securityContext", {})
    check(sc.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem is not true")
    check(sc.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation is not false")
    check("ALL" in (sc.get("capabilities") or {}).get("drop", []), "capabilities do not drop ALL")
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        g = (c.get(probe) or {}).get("httpGet") or {}
        check(g.get("path") == path and g.get("scheme") == "HTTPS",
              "%s is not HTTPS %s" % (probe, path))
    res = c.get("resources") or {}
    check(res.get("requests", {}).get("cpu") and res.get("requests", {}).get("memory")
          and res.get("limits", {}).get("memory"), "resources lack requests or a memory limit")
    args = c.get("args", [])
    check(args[:1] == ["serve"] and "--kube" in args, "args do not run `serve ... --kube`")
    check(args[args.index("--listen") + 1] == ":8443" if "--listen" in args else False,
          "--listen is not :8443")
    ports = {p.get("name"): p.get("containerPort") for p in c.get("ports", [])}
    check(ports.get("https") == 8443, "container port https is not 8443")
    # Issue 15: /metrics on its own port, so the NetworkPolicy can open it to monitoring only.
    check(args[args.index("--metrics-listen") + 1] == ":9090" if "--metrics-listen" in args
          else False, "--metrics-listen is not :9090")
    check(ports.get("metrics") == 9090, "container port metrics is not 9090")
    mounts = {m["name"]: m["mountPath"] for m in c.get("volumeMounts", [])}
    vols = {v["name"]: v for v in pod.get("volumes", [])}
    for flag, vol in (("--tls-cert", "tls"), ("--tls-key", "tls"), ("--config", "config")):
        val = args[args.index(flag) + 1] if flag in args else ""
        check(vol in mounts and val.startswith(mounts[vol] + "/"),
              "%s %s is not under the %s volume" % (flag, val, vol))
    cms = [m["metadata"]["name"] for m in k.get("ConfigMap", [])]
    check((vols.get("config", {}).get("configMap") or {}).get("name") in cms,
          "the config volume's ConfigMap is not here")
    return labels, (vols.get("tls", {}).get("secret") or {}).get("secretName"), ports


def np_rules(np):
    """{port name: [from peers]} of a NetworkPolicy's ingress rules ([] = any source)."""
    out = {}
    for rule in np["spec"].get("ingress", []):
        for p in rule.get("ports", []):
            out.setdefault(p.get("port"), []).extend(rule.get("from", []) or [None])
    return out


def check_networkpolicy(np, labels, openshift=False):
    spec = np["spec"]
    check(np["metadata"].get("namespace") == NS, "NetworkPolicy not in namespace %s" % NS)
    check(pod_labels_match(spec.get("podSelector"), labels), "NetworkPolicy selects no migguard pod")
    check("Ingress" in spec.get("policyTypes", []), "NetworkPolicy does not restrict ingress")
    rules = np_rules(np)
    check(set(rules) == {"https", "metrics"}, "NetworkPolicy admits ports %s, want https and metrics"
          % sorted(map(str, rules)))
    metrics = rules.get("metrics", [])
    check(metrics and None not in metrics, "NetworkPolicy opens the metrics port to every source")
    if openshift:
        want_api = {"policy-group.network.openshift.io/host-network": ""}
        want_mon = {"network.openshift.io/policy-group": "monitoring"}
        api = rules.get("https", [])
        check(api and all((p or {}).get("namespaceSelector", {}).get("matchLabels") == want_api
                          for p in api),
              "openshift: the webhook port is not limited to the host-network namespaces")
    else:
        want_mon = {"kubernetes.io/metadata.name": "monitoring"}
    check(all((p or {}).get("namespaceSelector", {}).get("matchLabels") == want_mon
              for p in metrics), "the metrics port is not limited to %s" % want_mon)


def check_rbac(k):
    roles = k.get("ClusterRole", [])
    check(len(roles) == 1, "want one ClusterRole")
    granted = set()
    for role in roles:
        for r in role.get("rules", []):
            extra = set(r.get("verbs", [])) - {"list", "watch", "get"}
            check(not extra, "ClusterRole grants %s" % sorted(extra))
            check("*" not in r.get("resources", []), "ClusterRole grants resources *")
            if {"list", "watch"} <= set(r.get("verbs", [])):
                for g in r.get("apiGroups", []):
                    for res in r.get("resources", []):
                        granted.add((g, res))
    check(VIEW <= granted, "ClusterRole does not list/watch %s" % sorted(VIEW - granted))
    # Namespaced: only the Leases and Events of issue 13, in migguard's namespace.
    allowed = {("coordination.k8s.io", "leases"): {"get", "create", "update"},
               ("", "events"): {"create"}}
    rnames = []
    for role in k.get("Role", []):
        check(role["metadata"].get("namespace") == NS, "a Role outside namespace %s" % NS)
        rnames.append(role["metadata"]["name"])
        for r in role.get("rules", []):
            for g in r.get("apiGroups", []):
                for res in r.get("resources", []):
                    extra = set(r.get("verbs", [])) - allowed.get((g, res), set())
                    check(not extra, "Role grants %s on %s/%s" % (sorted(extra), g, res))
    for b in k.get("RoleBinding", []):
        check(b["metadata"].get("namespace") == NS and b["roleRef"]["name"] in rnames,
              "RoleBinding points at a missing Role or lives outside %s" % NS)
    for b in k.get("ClusterRoleBinding", []):
        check(b["roleRef"]["name"] in [r["metadata"]["name"] for r in roles],
              "ClusterRoleBinding points at a missing ClusterRole")
        check({"kind": "ServiceAccount", "name": "migguard", "namespace": NS} in b.get("subjects", []),
              "ClusterRoleBinding does not bind ServiceAccount %s/migguard" % NS)


def check_set(docs, fixed_uid=True):
    k = by_kind(docs)
    for kind in ("Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap",
                 "Deployment", "Service", "PodDisruptionBudget", "NetworkPolicy",
                 "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"):
        check(len(k.get(kind, [])) == 1, "want exactly one %s, have %d" % (kind, len(k.get(kind, []))))
    if failures:
        return k, set()
    check(k["Namespace"][0]["metadata"]["name"] == NS, "the Namespace is not %s" % NS)
    labels, secret, ports = check_deployment(k["Deployment"][0], k, fixed_uid)
    svc = k["Service"][0]
    check(all(labels.get(a) == b for a, b in svc["spec"].get("selector", {}).items())
          and svc["spec"].get("selector"), "Service selector misses the pods")
    sp = svc["spec"]["ports"][0]
    check(sp.get("port") == 443 and (sp.get("targetPort") in ports or sp.get("targetPort") == 8443),
          "Service port 443 does not reach the container's https port")
    check(any(p.get("port") == 9090 and p.get("targetPort") in ("metrics", 9090)
              for p in svc["spec"]["ports"]), "Service has no port 9090 to the metrics port")
    # (only the OpenShift build drops the fixed UID)
    check_networkpolicy(k["NetworkPolicy"][0], labels, openshift=not fixed_uid)
    pdb = k["PodDisruptionBudget"][0]["spec"]
    check(pod_labels_match(pdb.get("selector"), labels), "PodDisruptionBudget selector misses the pods")
    check(pdb.get("minAvailable") == 1, "PodDisruptionBudget minAvailable is not 1")
    check_rbac(k)
    cm = k["ConfigMap"][0]
    cfg = yaml.safe_load(cm["data"]["config.yaml"])
    check(isinstance(cfg, dict) and "defaults" in cfg, "config.yaml has no defaults table")
    names = check_webhooks(k["ValidatingWebhookConfiguration"][0], "/validate", VALIDATE)
    names |= check_webhooks(k["MutatingWebhookConfiguration"][0], "/mutate", MUTATE)
    check(secret == "migguard-tls", "the tls volume is not Secret migguard-tls")
    return k, names


def check_kustomizations(src):
    for root, _, files in os.walk(os.path.join(src, "deploy")):
        if "kustomization.yaml" not in files:
            continue
        kz = load_all(os.path.join(root, "kustomization.yaml"))[0]
        rel = os.path.relpath(root, src)
        refs = list(kz.get("resources", [])) + [p["path"] for p in kz.get("patches", []) if "path" in p]
        refs += kz.get("components", [])
        refs += kz.get("patchesStrategicMerge", [])
        check(refs, "%s: kustomization lists nothing" % rel)
        for r in refs:
            p = os.path.normpath(os.path.join(root, r))
            check(os.path.exists(p), "%s: references %s, which does not exist" % (rel, r))
            if os.path.isdir(p):
                check(os.path.exists(os.path.join(p, "kustomization.yaml")),
                      "%s: %s is a directory without kustomization.yaml" % (rel, r))
        if rel == os.path.join("deploy", "base"):
            here = {f for f in files if f.endswith(".yaml") and f != "kustomization.yaml"}
            check(here == set(kz.get("resources", [])),
                  "deploy/base: files and resources differ: %s" % sorted(here ^ set(kz["resources"])))


def check_overlay_patches(src, names):
    cm = os.path.join(src, "deploy/overlays/cert-manager")
    docs = load_all(os.path.join(cm, "certificates.yaml"))
    certs = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Certificate"}
    tls = certs.get("migguard-tls", {}).get("spec", {})
    check(tls.get("secretName") == "migguard-tls", "cert-manager: no Certificate for migguard-tls")
    check("migguard.migguard.svc" in tls.get("dnsNames", []),
          "cert-manager: the certificate does not name migguard.migguard.svc")
    inj = load_all(os.path.join(cm, "inject-ca.yaml"))[0]
    check(inj["metadata"]["annotations"].get("cert-manager.io/inject-ca-from") == "migguard/migguard-tls",
          "cert-manager: inject-ca-from is not migguard/migguard-tls")
    for name, ann, val in (("cert-manager", "cert-manager.io/inject-ca-from", None),
                           ("openshift", "service.beta.openshift.io/inject-cabundle", "true")):
        kz = load_all(os.path.join(src, "deploy/overlays", name, "kustomization.yaml"))[0]
        kinds = {(p.get("target") or {}).get("kind") for p in kz.get("patches", [])}
        check({"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"} <= kinds,
              "%s: the CA patch does not target both webhook configurations" % name)
    osd = os.path.join(src, "deploy/overlays/openshift")
    svc = load_all(os.path.join(osd, "service-serving-cert.yaml"))[0]
    check(svc["metadata"]["annotations"].get("service.beta.openshift.io/serving-cert-secret-name")
          == "migguard-tls", "openshift: Service lacks serving-cert-secret-name: migguard-tls")
    cab = load_all(os.path.join(osd, "inject-cabundle.yaml"))[0]
    check(cab["metadata"]["annotations"].get("service.beta.openshift.io/inject-cabundle") == "true",
          "openshift: inject-cabundle is not \"true\" (a string)")
    with open(os.path.join(src, "deploy/README.md")) as f:
        readme = f.read()
    for n in sorted(names):
        check(n in readme, "deploy/README.md does not explain webhook %s" % n)
    for word in ("timeoutSeconds", "failurePolicy"):
        check(word in readme, "deploy/README.md does not explain %s" % word)


def check_built(name, path):
    docs = load_all(path)
    k, _ = check_set(docs, fixed_uid=(name != "openshift"))
    whs = k.get("ValidatingWebhookConfiguration", []) + k.get("MutatingWebhookConfiguration", [])
    if name == "cert-manager":
        for w in whs:
            check(w["metadata"].get("annotations", {}).get("cert-manager.io/inject-ca-from")
                  == "migguard/migguard-tls", "cert-manager: %s lacks inject-ca-from" % w["kind"])
        check(any(c["spec"].get("secretName") == "migguard-tls" for c in k.get("Certificate", [])),
              "cert-manager: no Certificate for migguard-tls in the build")
    if name == "client-auth":
        dep = k["Deployment"][0]["spec"]["template"]["spec"]
        args = dep["containers"][0].get("args", [])
        mounts = {m["name"]: m["mountPath"] for m in dep["containers"][0].get("volumeMounts", [])}
        vols = {v["name"]: v for v in dep.get("volumes", [])}
        ca = args[args.index("--client-ca") + 1] if "--client-ca" in args else ""
        check(ca.startswith(mounts.get("client-ca", "?") + "/"),
              "client-auth: --client-ca %r is not under the client-ca volume" % ca)
        check((vols.get("client-ca", {}).get("secret") or {}).get("secretName") == "migguard-client-ca",
              "client-auth: the client-ca volume is not Secret migguard-client-ca")
        check("--client-name" in args and args[args.index("--client-name") + 1] == "kube-apiserver",
              "client-auth: --client-name is not kube-apiserver")
    else:
        check("--client-ca" not in k["Deployment"][0]["spec"]["template"]["spec"]["containers"][0]
              .get("args", []), "%s: --client-ca without the client-auth component" % name)
    if name == "openshift":
        for w in whs:
            check(w["metadata"].get("annotations", {}).get("service.beta.openshift.io/inject-cabundle")
                  == "true", "openshift: %s lacks inject-cabundle" % w["kind"])
        check(k["Service"][0]["metadata"].get("annotations", {}).get(
            "service.beta.openshift.io/serving-cert-secret-name") == "migguard-tls",
            "openshift: the built Service lacks serving-cert-secret-name")


def main():
    if sys.argv[1] == "--built":
        check_built(sys.argv[2], sys.argv[3])
        what = "kustomize build of %s" % sys.argv[2]
    else:
        src = sys.argv[1]
        for root, _, files in os.walk(os.path.join(src, "deploy")):
            for f in files:
                if f.endswith((".yaml", ".yml")):
                    try:
                        load_all(os.path.join(root, f))
                    except yaml.YAMLError as e:
                        check(False, "%s: not YAML: %s" % (os.path.join(root, f), e))
        docs = []
        base = os.path.join(src, "deploy/base")
        for f in sorted(os.listdir(base)):
            if f.endswith(".yaml") and f != "kustomization.yaml":
                docs += load_all(os.path.join(base, f))
        _, names = check_set(docs)
        check_kustomizations(src)
        check_overlay_patches(src, names)
        what = "deploy/ sources"
    for f in failures:
        print("FAIL: %s" % f)
    print("%s: %s" % (what, "FAILED" if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
