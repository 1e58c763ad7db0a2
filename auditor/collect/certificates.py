"""The names on the ALBs' HTTPS listener certificates, for the last way an origin links to
an ALB (catalogue "Fronted ALB", link 4): an HTTPS origin whose domain no Route 53 record of
the run resolves (its DNS is elsewhere) reaches the ALB whose certificate covers that
domain, since CloudFront could complete TLS with no other.

Read only when such an origin exists, and only for the HTTPS listeners of Lambda ALBs:
``DescribeListenerCertificates`` per listener, ``acm:DescribeCertificate`` once per
certificate. A certificate that is not in ACM (an IAM server certificate) or cannot be
read leaves its listener's names unknown, and the links that depend on it are errors.
"""

from __future__ import annotations

import threading
from dataclasses import replace

from auditor.collect.base import Calls
from auditor.collect.runner import Runner
from auditor.gaps import Unavailable
from auditor.inventory import Inventory, Listener, LoadBalancer

OPERATIONS = ("elbv2:DescribeListenerCertificates", "acm:DescribeCertificate")


class _Names:
    """acm:DescribeCertificate, once per certificate ARN (listeners are read side by side:
    a lock per ARN keeps a certificate shared by several listeners to one call)."""

    def __init__(self, calls: Calls) -> None:
        self.calls = calls
        self.known: dict[str, tuple[str, ...] | Unavailable] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def of(self, region: str, arn: str) -> tuple[str, ...] | Unavailable:
        with self._guard:
            lock = self._locks.setdefault(arn, threading.Lock())
        with lock:
            if arn not in self.known:
                self.known[arn] = self._read(region, arn)
            return self.known[arn]

    def _read(self, region: str, arn: str) -> tuple[str, ...] | Unavailable:
        if ":acm:" not in arn:
            return Unavailable("acm:DescribeCertificate", "NotInAcm",
                               f"certificate {arn} is not in ACM: its names cannot be read")
        response = self.calls.call("acm", arn.split(":")[3] or region, "describe_certificate",
                                   resource=arn, CertificateArn=arn)
        if isinstance(response, Unavailable):
            return response
        detail = response.get("Certificate") or {}
        names = [detail.get("DomainName", ""), *(detail.get("SubjectAlternativeNames") or [])]
        return tuple(dict.fromkeys(n.lower().rstrip(".") for n in names if n))


def _listener(calls: Calls, names: _Names, region: str, listener: Listener) -> Listener:
    certs = calls.paginate("elbv2", region, "describe_listener_certificates", "Certificates",
                           resource=listener.arn, ListenerArn=listener.arn)
    if isinstance(certs, Unavailable):
        return replace(listener, certificate_names=certs)
    found: list[str] = []
    for cert in certs:
        got = names.of(region, cert["CertificateArn"])
        if isinstance(got, Unavailable):
            return replace(listener, certificate_names=got)
        found += got
    return replace(listener, certificate_names=tuple(dict.fromkeys(found)))


def _alb(calls: Calls, names: _Names, alb: LoadBalancer, wanted) -> LoadBalancer:
    if isinstance(alb.listeners, Unavailable):
        return alb
    return replace(alb, listeners=tuple(
        _listener(calls, names, alb.region, li)
        if li.protocol == "HTTPS" and li.certificate_names is None and wanted(li) else li
        for li in alb.listeners))


def edge_listeners(topo) -> set[str]:
    """The HTTPS listeners that edge paths connect to with HTTPS (CF-008): the one on the
    origin's HTTPS port of each such path."""
    found = set()
    for path in topo.all_edge_paths():
        if isinstance(path.alb.listeners, Unavailable):
            continue  # CF-008 reports the gap
        listener = topo.tls_listener(path)
        if listener is not None:
            found.add(listener.arn)
    return found


def attach(inventories: list[Inventory], calls: dict[str, Calls],
           edge_paths: bool = False) -> list[Inventory]:
    """Each Lambda ALB's HTTPS listener certificate names, when some HTTPS origin of the
    run has a domain no record resolves (link 4); with ``edge_paths`` (CF-008), those of
    the listeners that HTTPS edge paths connect to, once the paths are known. Otherwise
    the inventories as they are."""
    from auditor.topology import Topology

    topo = Topology(*inventories)
    if topo.unresolved_https_domains():
        lambda_albs = {a.arn for a in topo.lambda_albs().items}

        def wanted(listener) -> bool:
            return True
    elif edge_paths:
        listeners = edge_listeners(topo)
        lambda_albs = {p.alb.arn for p in topo.all_edge_paths()}

        def wanted(listener) -> bool:
            return listener.arn in listeners
        if not listeners:
            return inventories
    else:
        return inventories
    out = []
    with Runner() as runner:  # the ALBs side by side: each read is two dependent calls
        for inv in inventories:
            if inv.account not in calls:
                out.append(inv)
                continue
            own, names = calls[inv.account], _Names(calls[inv.account])

            def read(lb: LoadBalancer, own=own, names=names) -> LoadBalancer:
                return _alb(own, names, lb, wanted) if lb.arn in lambda_albs else lb

            regions = tuple(
                r if isinstance(r.load_balancers, Unavailable) else replace(
                    r, load_balancers=tuple(runner.map(read, r.load_balancers)))
                for r in inv.regions)
            out.append(replace(inv, regions=regions, failures=tuple(own.failures)))
    return out
