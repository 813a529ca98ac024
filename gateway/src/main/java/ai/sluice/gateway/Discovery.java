package ai.sluice.gateway;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Turns the configured replica URLs into one URL per replica: an IP literal (or localhost) is one replica; a host
 * name is one replica per address it resolves to now (IPv4 first; IPv6 only when it has no IPv4), so replicas behind a
 * DNS name (a Kubernetes headless Service) join and leave without a restart. A name that does not resolve keeps
 * its last known addresses (or stays as it is, failing its health checks, until it does).
 */
final class Discovery {
    private static final System.Logger LOG = System.getLogger("ai.sluice.gateway");

    /** Looks a host name up; {@link InetAddress#getAllByName} in production, a script in tests. */
    @FunctionalInterface
    interface Resolver {
        List<InetAddress> resolve(String host) throws UnknownHostException;
    }

    static final Resolver DNS = host -> List.of(InetAddress.getAllByName(host));

    private final List<URI> configured;
    private final Resolver resolver;
    private final Map<URI, List<URI>> lastKnown = new HashMap<>();

    Discovery(List<URI> configured, Resolver resolver) {
        this.configured = List.copyOf(configured);
        this.resolver = resolver;
    }

    /** The replica URLs now, in configuration order, without duplicates. */
    synchronized List<URI> resolve() {
        LinkedHashSet<URI> out = new LinkedHashSet<>();
        for (URI replica : configured) {
            if (!isName(replica.getHost())) {
                out.add(replica);
                continue;
            }
            try {
                List<InetAddress> addresses = resolver.resolve(replica.getHost());
                List<InetAddress> v4 = addresses.stream().filter(a -> a instanceof Inet4Address).toList();
                List<URI> now = new ArrayList<>();
                for (InetAddress a : v4.isEmpty() ? addresses : v4) {
                    String host = a instanceof Inet4Address ? a.getHostAddress() : "[" + a.getHostAddress() + "]";
                    now.add(URI.create(replica.getScheme() + "://" + host + ":" + port(replica)));
                }
                if (!now.isEmpty()) {
                    lastKnown.put(replica, List.copyOf(now));
                }
            } catch (UnknownHostException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot resolve " + replica.getHost() + "; keeping its last addresses");
            }
            out.addAll(lastKnown.getOrDefault(replica, List.of(replica)));
        }
        return List.copyOf(out);
    }

    private static int port(URI u) {
        return u.getPort() > 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
    }

    /** A host name to resolve: not an IP literal, not localhost (which may list ::1 beside 127.0.0.1 for one server). */
    static boolean isName(String host) {
        if (host == null || host.equalsIgnoreCase("localhost") || host.startsWith("[")) {
            return false;
        }
        try {
            InetAddress.ofLiteral(host);
            return false;
        } catch (IllegalArgumentException notALiteral) {
            return true;
        }
    }
}
