/**
 * Schema-only twins of the Kubernetes types the Kelp CRDs embed (metav1 Condition and
 * LabelSelector, core/v1 ResourceRequirements). The fabric8 model classes carry no field
 * descriptions, so the model keeps using them in Java and points the CRD generator here
 * with {@code @SchemaFrom}: {@code kubectl explain} then describes every field. These
 * classes are never instantiated; their fields mirror the Kubernetes API reference.
 */
package dev.kelp.crds.schema;
