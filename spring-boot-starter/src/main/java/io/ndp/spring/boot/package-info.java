/**
 * Spring Boot auto-configuration of an NDP runtime: {@link io.ndp.spring.boot.NdpProperties} (the
 * {@code ndp.*} properties), {@link io.ndp.spring.boot.NdpAutoConfiguration} (the runtime, its
 * registry and executor, delegates from {@link io.ndp.spring.boot.NdpDelegate} beans and methods,
 * patterns from properties and beans), the actuator's health indicator and {@code ndp} endpoint,
 * and Micrometer metrics. Add {@code io.ndp:ndp-spring-boot-starter} and the runtime is a bean.
 */
@NullMarked
package io.ndp.spring.boot;

import org.jspecify.annotations.NullMarked;
