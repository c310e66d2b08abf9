import { installPolyfills } from '../../lib/polyfills';

installPolyfills();
