package io.pulse.spring.boot.autoconfigure;

/**
 * What every entry under {@code pulse.maps}, {@code pulse.streams} and {@code pulse.pools} has: whether
 * it is declared. Mutable bean for Spring's binder.
 */
public class ComponentOptions {

    /**
     * Whether to create the component; {@code enabled=true} declares one with all defaults, {@code false}
     * leaves it out (e.g. in one profile).
     */
    private boolean enabled = true;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }
}
