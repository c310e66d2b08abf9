import { Router, type RouterOptions } from '../core/router';
import type { PlacerFactory } from './types';

/**
 * The core router as the placer. One `Router` lives as long as the factory: each new view snapshot
 * is handed to it with `setView`, so what it learned from observed outcomes carries over a refresh.
 * @example
 * const service = new RoutingService({ store, invoker, config, placerFactory: corePlacerFactory({ baselineZone: 'usw1-az3' }) });
 */
export function corePlacerFactory(options: RouterOptions = {}): PlacerFactory {
  let router: Router | undefined;
  return (view) => {
    if (router) router.setView(view);
    else router = new Router(view, options);
    return router;
  };
}
