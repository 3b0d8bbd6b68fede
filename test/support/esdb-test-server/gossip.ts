import { randomUUID } from 'node:crypto';
import { ClusterInfo, EndPoint, MemberInfo } from '@eventstore/db-client/generated/gossip_pb';
import { uuidMessage } from './wire';

// Gossip.Read: a one-member cluster (the client only asks for it with several hosts or esdb+discover://)

const INSTANCE_ID = randomUUID();

export function clusterInfo(host: string, port: number): ClusterInfo {
  const endpoint = new EndPoint();
  endpoint.setAddress(host);
  endpoint.setPort(port);
  const member = new MemberInfo();
  member.setInstanceId(uuidMessage(INSTANCE_ID, false));
  member.setTimeStamp(String(BigInt(Date.now()) * 10_000n));
  member.setState(MemberInfo.VNodeState.LEADER);
  member.setIsAlive(true);
  member.setHttpEndPoint(endpoint);
  const info = new ClusterInfo();
  info.setMembersList([member]);
  return info;
}
