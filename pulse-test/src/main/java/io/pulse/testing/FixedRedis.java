package io.pulse.testing;

/** A Redis this JVM did not start (named by a URI, or a container): it can be used but not controlled. */
final class FixedRedis implements RedisServer {

    private final String uri;
    private final String description;
    private final AutoCloseable owner;

    FixedRedis(String uri, String description, AutoCloseable owner) {
        this.uri = uri;
        this.description = description;
        this.owner = owner;
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public boolean controllable() {
        return false;
    }

    @Override
    public void kill() {
        throw new UnsupportedOperationException("cannot kill " + description);
    }

    @Override
    public void restart() {
        throw new UnsupportedOperationException("cannot restart " + description);
    }

    @Override
    public void restartEmpty() {
        throw new UnsupportedOperationException("cannot restart " + description);
    }

    @Override
    public void pause() {
        throw new UnsupportedOperationException("cannot pause " + description);
    }

    @Override
    public void resume() {
        throw new UnsupportedOperationException("cannot resume " + description);
    }

    @Override
    public void close() {
        if (owner != null) {
            try {
                owner.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }
}
