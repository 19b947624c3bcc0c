package dev.bulwark.http;

/**
 * A part of the API that declares its routes: each feature package and each ops endpoint implements
 * it, and the composition root hands the list to {@link ApiRouter#create}. The web kit knows no
 * module by name.
 */
@FunctionalInterface
public interface RouteModule {
  void mount(ApiRouter api);
}
