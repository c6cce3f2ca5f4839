package io.pulse.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The consumer groups of one stream with their lag: taken from {@code XINFO GROUPS} where Redis
 * reports it (7.0 and later), else counted with one bounded {@code XRANGE} after the group's last
 * delivered id (up to a cap).
 */
final class Groups {

    private Groups() {
    }

    /** One group; {@code lagAtLeast} when the lag was counted and reached the cap. */
    record Group(String name, long pending, String lastDeliveredId, long lag, boolean lagAtLeast) {
    }

    static List<Group> of(RedisQueries redis, String key, int lagCap) {
        List<Group> out = new ArrayList<>();
        for (Object reply : redis.xinfoGroups(key)) {
            Map<String, Object> f = RedisQueries.fields(reply);
            String name = RedisQueries.text(f.get("name"));
            String lastDelivered = RedisQueries.text(f.get("last-delivered-id"));
            Long pending = RedisQueries.number(f.get("pending"));
            Long lag = RedisQueries.number(f.get("lag"));
            boolean atLeast = false;
            if (lag == null) {
                int counted = redis.range(key, "(" + lastDelivered, "+", lagCap + 1).size();
                atLeast = counted > lagCap;
                lag = (long) Math.min(counted, lagCap);
            }
            out.add(new Group(name, pending == null ? 0 : pending, lastDelivered, lag, atLeast));
        }
        out.sort(java.util.Comparator.comparing(Group::name));
        return out;
    }
}
