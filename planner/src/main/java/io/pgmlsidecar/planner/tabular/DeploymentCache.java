package io.pgmlsidecar.planner.tabular;

import io.pgmlsidecar.proxy.codec.TransactionStatus;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Which model each project serves, per database and current role, so a predict needs no registry query.
 * Answers are cached only while the database's deployment changes are watched (the registry's
 * triggers notify every sidecar at commit), and only for statements outside a transaction block:
 * inside one, the session may itself have changed deployments that others must not see yet. The
 * first look-up of a role goes through its session, so PostgreSQL's permissions are checked. Privilege changes
 * reach it as notifications (migration V8) and role-membership changes from {@code DeploymentNotifications}' poll.
 */
public final class DeploymentCache {

    private record Key(String database, String role, String project) {}

    private final DeploymentWatch watch;
    private final Cache<Key, TabularCatalog.DeployedModel> deployed = Caffeine.newBuilder()
            .maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(5)).build();
    private final Map<String, AtomicLong> generations = new ConcurrentHashMap<>();
    /** One callback per database, the same object on every look-up, so a shared listener registers it once. */
    private final Map<String, Runnable> forgetters = new ConcurrentHashMap<>();

    public DeploymentCache(DeploymentWatch watch) {
        this.watch = watch;
    }

    TabularCatalog.DeployedModel deployed(SessionContext session, String project, Supplier<TabularCatalog.DeployedModel> lookUp) {
        String database = session.startupParameters().getOrDefault("database", session.startupParameters().get("user"));
        if (session.transactionStatus() != TransactionStatus.IDLE || database == null || !watch.watching(database, forgetters.computeIfAbsent(database, db -> () -> forget(db)))) {
            return lookUp.get();
        }
        // the role the statement runs as, not the login role: after SET ROLE the answer must be the new role's
        Key key = new Key(database, session.settings().currentRole(), project);
        TabularCatalog.DeployedModel hit = deployed.getIfPresent(key);
        if (hit != null) {
            return hit;
        }
        long generation = generation(database).get();
        TabularCatalog.DeployedModel found = lookUp.get();
        // a change notified while looking up may not be in the answer: keep it only when none came
        if (found != null && generation(database).get() == generation) {
            deployed.put(key, found);
        }
        return found;
    }

    private void forget(String database) {
        generation(database).incrementAndGet();
        deployed.asMap().keySet().removeIf(k -> k.database().equals(database));
    }

    private AtomicLong generation(String database) {
        return generations.computeIfAbsent(database, d -> new AtomicLong());
    }
}
