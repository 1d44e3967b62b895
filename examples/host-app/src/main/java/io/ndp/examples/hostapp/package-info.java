/** The example host application: order ingest through NDP patterns. */
@NullMarked
package io.ndp.examples.hostapp;

import org.jspecify.annotations.NullMarked;
