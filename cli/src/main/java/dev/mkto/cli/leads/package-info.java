@NullMarked
package dev.mkto.cli.leads;

import org.jspecify.annotations.NullMarked;
