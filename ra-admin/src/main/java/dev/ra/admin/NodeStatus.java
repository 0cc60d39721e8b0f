package dev.ra.admin;

import dev.ra.ServerId;
import dev.ra.ServerOverview;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What {@code GET /status} and {@code GET /health} report: the overview of every server running on this node, and per
 * cluster every member as this node sees it.
 *
 * <p>A member on this node reports its own numbers. A member on another node is described by what the local members
 * know (who leads, in which term) and, when that node also runs an admin endpoint given as a peer, by the numbers its
 * own endpoint reported; a member on a node the transport cannot reach is {@code down}.
 *
 * @param node     id of this node.
 * @param servers  overviews of the servers running here, by cluster then server id.
 * @param failures       servers that are listed as running but gave no overview in time (stopping, busy or stuck),
 *                       with why.
 * @param clusters       the clusters with a member here, by name: each as the JSON object {@link #toJson} writes.
 * @param failedRestarts servers stored here that do not run because their restart failed
 *                       ({@link dev.ra.RaSystem#failedRestarts()}), with why.
 */
record NodeStatus(String node, List<ServerOverview> servers, Map<ServerId, String> failures,
    Map<String, Map<String, Object>> clusters, Map<ServerId, String> failedRestarts)
{
    /**
     * @return true when every server running here knows a leader (vacuously true with no server), and every server
     *     stored here runs: one whose restart failed is a member missing from its cluster.
     */
    boolean ready()
    {
        return failures.isEmpty() && failedRestarts.isEmpty() && servers.stream().allMatch(s -> null != s.leader());
    }

    /**
     * Take the overviews of the servers running on a node.
     *
     * @param node        id of the node.
     * @param local       the overviews of its servers, or why each missing one is missing.
     * @param reachable   whether another node is reachable through the transport.
     * @param remoteState members of other nodes as their own admin endpoints last reported them (may be empty).
     * @return the status.
     */
    static NodeStatus of(final String node, final LocalOverviews.Taken local, final Predicate<String> reachable,
        final Function<ServerId, Map<String, Object>> remoteState)
    {
        return of(node, local, reachable, remoteState, Map.of());
    }

    /**
     * Take the overviews of the servers running on a node, and the servers stored there that do not run.
     *
     * @param node           id of the node.
     * @param local          the overviews of its servers, or why each missing one is missing.
     * @param reachable      whether another node is reachable through the transport.
     * @param remoteState    members of other nodes as their own admin endpoints last reported them (may be empty).
     * @param failedRestarts the servers stored on the node whose restart failed, with why.
     * @return the status.
     */
    static NodeStatus of(final String node, final LocalOverviews.Taken local, final Predicate<String> reachable,
        final Function<ServerId, Map<String, Object>> remoteState, final Map<ServerId, String> failedRestarts)
    {
        final List<ServerOverview> servers = new ArrayList<>(local.overviews());
        servers.sort(Comparator.comparing(ServerOverview::clusterName).thenComparing(s -> s.id().toString()));
        final Map<String, List<ServerOverview>> byCluster = new TreeMap<>();
        for (final ServerOverview server : servers)
        {
            byCluster.computeIfAbsent(server.clusterName(), name -> new ArrayList<>()).add(server);
        }
        final Map<String, Map<String, Object>> clusters = new LinkedHashMap<>();
        byCluster.forEach((name, members) -> clusters.put(name, cluster(node, name, members, reachable,
            remoteState)));
        return new NodeStatus(node, List.copyOf(servers), local.failures(), clusters, Map.copyOf(failedRestarts));
    }

    /**
     * One cluster as this node sees it: the leader and term its most advanced local member knows, and each member.
     */
    private static Map<String, Object> cluster(final String node, final String name, final List<ServerOverview> local,
        final Predicate<String> reachable, final Function<ServerId, Map<String, Object>> remoteState)
    {
        // The local member with the highest term has the freshest view of leadership.
        final ServerOverview freshest = local.stream().max(Comparator.comparingLong(ServerOverview::currentTerm))
            .orElseThrow();
        final Map<ServerId, ServerOverview> localById = new LinkedHashMap<>();
        local.forEach(s -> localById.put(s.id(), s));
        final List<Map<String, Object>> members = new ArrayList<>();
        for (final ServerId member : freshest.members())
        {
            final ServerOverview here = localById.get(member);
            if (null != here)
            {
                members.add(localMember(here));
            }
            else
            {
                members.add(remoteMember(member, freshest, reachable.test(member.node()), remoteState.apply(member)));
            }
        }
        long elections = 0;
        long commands = 0;
        for (final ServerOverview server : local)
        {
            elections += server.counters().getOrDefault("elections", 0L);
            commands += server.counters().getOrDefault("commands", 0L);
        }
        final Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("name", name);
        cluster.put("term", freshest.currentTerm());
        cluster.put("leader", null == freshest.leader() ? null : freshest.leader().toString());
        cluster.put("commitIndex", local.stream().mapToLong(ServerOverview::commitIndex).max().orElse(0));
        cluster.put("localElections", elections);
        cluster.put("localCommands", commands);
        cluster.put("viewedFrom", node);
        cluster.put("members", members);
        return cluster;
    }

    private static Map<String, Object> localMember(final ServerOverview server)
    {
        final Map<String, Object> member = new LinkedHashMap<>();
        member.put("id", server.id().toString());
        member.put("node", server.id().node());
        member.put("source", "local");
        member.put("up", true);
        member.put("role", role(server.role().name()));
        member.put("term", server.currentTerm());
        member.put("leader", null == server.leader() ? null : server.leader().toString());
        member.put("commitIndex", server.commitIndex());
        member.put("lastApplied", server.lastApplied());
        member.put("lastIndex", server.lastIndex());
        member.put("storage", storage(server));
        return member;
    }

    private static Map<String, Object> remoteMember(final ServerId id, final ServerOverview seenBy,
        final boolean reachable, final Map<String, Object> reported)
    {
        final Map<String, Object> member = new LinkedHashMap<>();
        member.put("id", id.toString());
        member.put("node", id.node());
        if (!reachable)
        {
            member.put("source", "transport");
            member.put("up", false);
            member.put("role", "down");
            member.put("term", null);
            member.put("leader", null);
            member.put("commitIndex", null);
            member.put("lastApplied", null);
            member.put("lastIndex", null);
            member.put("storage", null);
        }
        else if (null != reported)
        {
            member.put("source", "peer");
            member.put("up", true);
            member.putAll(reported);
            member.put("id", id.toString());
            member.put("node", id.node());
        }
        else
        {
            // Only what the local members know: whether it leads. Its log positions are not visible from here.
            member.put("source", "inferred");
            member.put("up", true);
            member.put("role", id.equals(seenBy.leader()) ? "leader" : "follower");
            member.put("term", id.equals(seenBy.leader()) ? seenBy.currentTerm() : null);
            member.put("leader", null == seenBy.leader() ? null : seenBy.leader().toString());
            member.put("commitIndex", null);
            member.put("lastApplied", null);
            member.put("lastIndex", null);
            member.put("storage", null);
        }
        return member;
    }

    /**
     * @return the storage state in the lower-case form of the JSON (whole, recovering, term_and_vote_lost).
     */
    private static String storage(final ServerOverview server)
    {
        return server.storage().name().toLowerCase(Locale.ROOT);
    }

    /**
     * @return a role in the lower-case form of the JSON (leader, follower, pre_vote, candidate, ...).
     */
    private static String role(final String name)
    {
        return name.toLowerCase(Locale.ROOT);
    }

    /**
     * @param timeMillis when the status was taken.
     * @return the JSON object of {@code GET /status?scope=peer}: what another node's endpoint asks for.
     */
    Map<String, Object> toPeerJson(final long timeMillis)
    {
        final Map<String, Object> json = header(timeMillis);
        // Only what a peer shows of each member (PeerStatuses): a node may host 10,000 servers, and their counters and
        // machine facts would put the answer over the bound a peer reads.
        json.put("servers", servers.stream().map(server -> serverJson(server, false)).toList());
        return json;
    }

    /**
     * @param timeMillis when the status was taken (wall clock, for the page's charts).
     * @return the JSON object of {@code GET /status}.
     */
    Map<String, Object> toJson(final long timeMillis)
    {
        final Map<String, Object> json = header(timeMillis);
        json.put("servers", servers.stream().map(server -> serverJson(server, true)).toList());
        final Map<String, Object> failed = new LinkedHashMap<>();
        failures.forEach((id, why) -> failed.put(id.toString(), why));
        json.put("unavailable", failed);
        final Map<String, Object> notRestarted = new TreeMap<>();
        failedRestarts.forEach((id, why) -> notRestarted.put(id.toString(), why));
        json.put("failedRestarts", notRestarted);
        json.put("clusters", new ArrayList<>(clusters.values()));
        return json;
    }

    private Map<String, Object> header(final long timeMillis)
    {
        final Map<String, Object> json = new LinkedHashMap<>();
        json.put("node", node);
        json.put("timeMillis", timeMillis);
        json.put("ready", ready());
        return json;
    }

    /**
     * @param server of the node.
     * @param full   everything {@code /status} shows, else only what a peer shows of it.
     * @return the server's JSON object.
     */
    private static Map<String, Object> serverJson(final ServerOverview server, final boolean full)
    {
        final Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("id", server.id().toString());
        if (full)
        {
            entry.put("cluster", server.clusterName());
        }
        entry.put("role", role(server.role().name()));
        entry.put("term", server.currentTerm());
        entry.put("leader", null == server.leader() ? null : server.leader().toString());
        entry.put("commitIndex", server.commitIndex());
        entry.put("lastApplied", server.lastApplied());
        entry.put("lastIndex", server.lastIndex());
        if (full)
        {
            entry.put("lastWrittenIndex", server.lastWrittenIndex());
            entry.put("snapshotIndex", server.snapshotIndex());
        }
        entry.put("storage", storage(server));
        if (full)
        {
            entry.put("members", server.members().stream().map(ServerId::toString).toList());
            entry.put("counters", new TreeMap<>(server.counters()));
            // The machine's own summary (StateMachine.overview): values that are not JSON are written as text.
            entry.put("machine", new TreeMap<>(server.machineOverview()));
        }
        return entry;
    }
}
