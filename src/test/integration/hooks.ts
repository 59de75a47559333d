import { stopSharedSandbox } from '../sandbox';

/** Root hooks of the integration tier: the shared sandbox is stopped once, after every test. */
export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopSharedSandbox();
  },
};
