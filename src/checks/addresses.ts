// Web, app and db addresses must be usable inside containers (not loopback): decided from the
// configuration alone, so it runs even where SSH failed.
import { SERVER_ADDRESS_REMEDY, serverAddressProblem } from '../config/server-addresses.js';
import { result, type Check } from './check.js';

export const addressCheck: Check = {
  id: 'hosts.address',
  title: 'Address usable by the containers',
  tiers: ['web', 'app', 'db'],
  needsDocker: false,
  offline: true,
  run: (host) => {
    const problems = host.entries
      .filter((h) => h.tier !== 'target')
      .flatMap((h) => {
        const problem = serverAddressProblem(h.host);
        return problem ? [`hosts.${h.tier}: ${problem}`] : [];
      });
    const [first] = problems;
    if (first === undefined)
      return [result(addressCheck, host.name, 'pass', `${host.address} can go into the container configs`)];
    return [result(addressCheck, host.name, 'fail', first, { evidence: problems, remedy: SERVER_ADDRESS_REMEDY })];
  },
};
