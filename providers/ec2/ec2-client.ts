import {
  AttachVolumeCommand, AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, CreateSnapshotCommand, CreateTagsCommand, CreateVolumeCommand, DeleteKeyPairCommand, DeleteSecurityGroupCommand,
  DeleteSnapshotCommand, DeleteVolumeCommand, DeregisterImageCommand, DescribeVolumesCommand, DetachVolumeCommand, ModifyInstanceAttributeCommand, DescribeImagesCommand, DescribeInstancesCommand, DescribeInstanceTypesCommand,
  DescribeKeyPairsCommand, DescribeSecurityGroupsCommand, DescribeSnapshotsCommand, DescribeSubnetsCommand, EC2Client, GetConsoleOutputCommand,
  ImportKeyPairCommand, RegisterImageCommand, RunInstancesCommand, StartInstancesCommand, StopInstancesCommand,
  TerminateInstancesCommand, type Filter, type Image, type Instance, type IpPermission, type Tag,
} from '@aws-sdk/client-ec2';
import { CompleteSnapshotCommand, EBSClient, PutSnapshotBlockCommand, StartSnapshotCommand } from '@aws-sdk/client-ebs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ec2Error, isNotFound } from './ec2-errors.js';

/** Where the clients connect: credentials always come from the SDK's default chain (or a profile). */
export interface AwsPlace {
  region: string | undefined;
  profile: string | undefined;
  endpoint: string | undefined;
}

export type Tags = Record<string, string>;

/** An EBS volume as atomlab reads it. */
export interface Volume {
  id: string;
  /** creating, available, in-use, deleting, deleted, error */
  state: string;
  sizeGiB: number;
  type: string | undefined;
  zone: string;
  snapshotId: string | undefined;
  attachments: { instanceId: string; device: string; state: string }[];
  tags: Tags;
}

export function toTags(tags: Tags): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export function tagFilters(tags: Tags): Filter[] {
  return Object.entries(tags).map(([key, value]) => ({ Name: `tag:${key}`, Values: [value] }));
}

/**
 * A thin wrapper of the AWS SDK v3 EC2, EBS and STS clients: one method per call atomlab makes,
 * plain data in and out, every failure an AtomlabError (ec2Error). No lab logic here.
 */
export class Ec2Client {
  private readonly ec2: EC2Client;
  private readonly ebs: EBSClient;
  private readonly sts: STSClient;

  constructor(place: AwsPlace) {
    const config = { region: place.region, profile: place.profile, endpoint: place.endpoint, maxAttempts: 4 };
    this.ec2 = new EC2Client(config);
    this.ebs = new EBSClient(config);
    this.sts = new STSClient(config);
  }

  private async call<T>(operation: string, run: () => Promise<T>, context?: Record<string, unknown>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw ec2Error(operation, error, context);
    }
  }

  async region(): Promise<string> {
    return this.call('region', () => this.ec2.config.region());
  }

  async account(): Promise<string> {
    const identity = await this.call('GetCallerIdentity', () => this.sts.send(new GetCallerIdentityCommand({})));
    return identity.Account ?? '';
  }

  async startSnapshot(input: { volumeGiB: number; tags: Tags; description: string; timeoutMinutes: number }): Promise<string> {
    const out = await this.call('StartSnapshot', () =>
      this.ebs.send(new StartSnapshotCommand({ VolumeSize: input.volumeGiB, Tags: toTags(input.tags), Description: input.description, Timeout: input.timeoutMinutes })),
    );
    return out.SnapshotId!;
  }

  async putBlock(input: { snapshotId: string; index: number; data: Buffer; checksum: string }, signal?: AbortSignal): Promise<void> {
    await this.call(
      'PutSnapshotBlock',
      () => this.ebs.send(new PutSnapshotBlockCommand({ SnapshotId: input.snapshotId, BlockIndex: input.index, BlockData: input.data, DataLength: input.data.length, Checksum: input.checksum, ChecksumAlgorithm: 'SHA256' }), { abortSignal: signal }),
      { snapshotId: input.snapshotId, block: input.index },
    );
  }

  async completeSnapshot(snapshotId: string, changedBlocks: number): Promise<string> {
    const out = await this.call('CompleteSnapshot', () => this.ebs.send(new CompleteSnapshotCommand({ SnapshotId: snapshotId, ChangedBlocksCount: changedBlocks })), { snapshotId });
    return out.Status ?? '';
  }

  async snapshotState(snapshotId: string): Promise<string | undefined> {
    try {
      const out = await this.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }));
      return out.Snapshots?.[0]?.State;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw ec2Error('DescribeSnapshots', error, { snapshotId });
    }
  }

  async snapshots(tags: Tags): Promise<{ id: string; state: string; tags: Tags }[]> {
    const out = await this.call('DescribeSnapshots', () => this.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: tagFilters(tags) })));
    return (out.Snapshots ?? []).map((snapshot) => ({ id: snapshot.SnapshotId!, state: snapshot.State ?? '', tags: fromTags(snapshot.Tags) }));
  }

  async createSnapshot(input: { volumeId: string; description: string; tags: Tags }): Promise<string> {
    const out = await this.call('CreateSnapshot', () =>
      this.ec2.send(new CreateSnapshotCommand({ VolumeId: input.volumeId, Description: input.description, TagSpecifications: [{ ResourceType: 'snapshot', Tags: toTags(input.tags) }] })),
      { volumeId: input.volumeId },
    );
    return out.SnapshotId!;
  }

  async deleteSnapshot(snapshotId: string): Promise<void> {
    await this.call('DeleteSnapshot', () => this.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })), { snapshotId });
  }

  /** The snapshot's size in GiB (DescribeSnapshots' VolumeSize). */
  async snapshotSize(snapshotId: string): Promise<number | undefined> {
    const out = await this.call('DescribeSnapshots', () => this.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] })), { snapshotId });
    return out.Snapshots?.[0]?.VolumeSize;
  }

  async volumes(query: { tags?: Tags; ids?: string[] }): Promise<Volume[]> {
    const out = await this.call('DescribeVolumes', () => this.ec2.send(new DescribeVolumesCommand({ VolumeIds: query.ids, Filters: query.tags ? tagFilters(query.tags) : undefined })));
    return (out.Volumes ?? []).map((volume) => ({ id: volume.VolumeId!, state: volume.State ?? '', sizeGiB: volume.Size ?? 0, type: volume.VolumeType, zone: volume.AvailabilityZone ?? '', snapshotId: volume.SnapshotId || undefined, attachments: (volume.Attachments ?? []).map((a) => ({ instanceId: a.InstanceId ?? '', device: a.Device ?? '', state: a.State ?? '' })), tags: fromTags(volume.Tags) }));
  }

  async createVolume(input: { zone: string; snapshotId: string; sizeGiB: number; type: string | undefined; tags: Tags }): Promise<string> {
    const out = await this.call('CreateVolume', () =>
      this.ec2.send(new CreateVolumeCommand({ AvailabilityZone: input.zone, SnapshotId: input.snapshotId, Size: input.sizeGiB, VolumeType: input.type as 'gp3' | undefined, TagSpecifications: [{ ResourceType: 'volume', Tags: toTags(input.tags) }] })),
      { snapshotId: input.snapshotId },
    );
    return out.VolumeId!;
  }

  async attachVolume(input: { volumeId: string; instanceId: string; device: string }): Promise<void> {
    await this.call('AttachVolume', () => this.ec2.send(new AttachVolumeCommand({ VolumeId: input.volumeId, InstanceId: input.instanceId, Device: input.device })), { volumeId: input.volumeId, instance: input.instanceId });
  }

  async detachVolume(input: { volumeId: string; instanceId: string; device: string }): Promise<void> {
    await this.call('DetachVolume', () => this.ec2.send(new DetachVolumeCommand({ VolumeId: input.volumeId, InstanceId: input.instanceId, Device: input.device })), { volumeId: input.volumeId, instance: input.instanceId });
  }

  async deleteVolume(volumeId: string): Promise<void> {
    await this.call('DeleteVolume', () => this.ec2.send(new DeleteVolumeCommand({ VolumeId: volumeId })), { volumeId });
  }

  /** The volume at this device goes when the instance is terminated (what RunInstances' mapping said for the first root). */
  async deleteOnTermination(input: { instanceId: string; device: string }): Promise<void> {
    await this.call('ModifyInstanceAttribute', () =>
      this.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: input.instanceId, BlockDeviceMappings: [{ DeviceName: input.device, Ebs: { DeleteOnTermination: true } }] })),
      { instance: input.instanceId },
    );
  }

  async registerImage(input: { name: string; snapshotId: string; volumeType: string; tags: Tags }): Promise<string> {
    const out = await this.call('RegisterImage', () =>
      this.ec2.send(
        new RegisterImageCommand({
          Name: input.name,
          Architecture: 'x86_64',
          VirtualizationType: 'hvm',
          RootDeviceName: '/dev/xvda',
          EnaSupport: true,
          BootMode: 'legacy-bios',
          BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: input.snapshotId, DeleteOnTermination: true, VolumeType: input.volumeType as 'gp3' } }],
          TagSpecifications: [{ ResourceType: 'image', Tags: toTags(input.tags) }],
        }),
      ),
    );
    return out.ImageId!;
  }

  async images(query: { tags?: Tags; ids?: string[]; names?: string[] }): Promise<Image[]> {
    const filters = [...tagFilters(query.tags ?? {}), ...(query.names ? [{ Name: 'name', Values: query.names }] : [])];
    const out = await this.call('DescribeImages', () => this.ec2.send(new DescribeImagesCommand({ ImageIds: query.ids, Owners: query.ids ? undefined : ['self'], Filters: filters.length ? filters : undefined })));
    return out.Images ?? [];
  }

  async deregisterImage(imageId: string): Promise<void> {
    await this.call('DeregisterImage', () => this.ec2.send(new DeregisterImageCommand({ ImageId: imageId })), { imageId });
  }

  async tag(resourceIds: string[], tags: Tags): Promise<void> {
    await this.call('CreateTags', () => this.ec2.send(new CreateTagsCommand({ Resources: resourceIds, Tags: toTags(tags) })));
  }

  async importKeyPair(input: { name: string; publicKey: string; tags: Tags }): Promise<string> {
    const out = await this.call('ImportKeyPair', () =>
      this.ec2.send(new ImportKeyPairCommand({ KeyName: input.name, PublicKeyMaterial: Buffer.from(input.publicKey), TagSpecifications: [{ ResourceType: 'key-pair', Tags: toTags(input.tags) }] })),
    );
    return out.KeyPairId ?? input.name;
  }

  async keyPairs(tags: Tags): Promise<{ id: string; name: string }[]> {
    const out = await this.call('DescribeKeyPairs', () => this.ec2.send(new DescribeKeyPairsCommand({ Filters: tagFilters(tags) })));
    return (out.KeyPairs ?? []).map((pair) => ({ id: pair.KeyPairId ?? '', name: pair.KeyName ?? '' }));
  }

  async deleteKeyPair(name: string): Promise<void> {
    await this.call('DeleteKeyPair', () => this.ec2.send(new DeleteKeyPairCommand({ KeyName: name })), { keyPair: name });
  }

  async createSecurityGroup(input: { name: string; description: string; vpcId: string | undefined; tags: Tags }): Promise<string> {
    const out = await this.call('CreateSecurityGroup', () =>
      this.ec2.send(new CreateSecurityGroupCommand({ GroupName: input.name, Description: input.description, VpcId: input.vpcId, TagSpecifications: [{ ResourceType: 'security-group', Tags: toTags(input.tags) }] })),
    );
    return out.GroupId!;
  }

  async authorizeIngress(groupId: string, permissions: IpPermission[]): Promise<void> {
    await this.call('AuthorizeSecurityGroupIngress', () => this.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: permissions })), { groupId });
  }

  async securityGroups(query: { tags?: Tags; ids?: string[] }): Promise<{ id: string; name: string; ingress: IpPermission[] }[]> {
    const out = await this.call('DescribeSecurityGroups', () => this.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: query.ids, Filters: query.tags ? tagFilters(query.tags) : undefined })));
    return (out.SecurityGroups ?? []).map((group) => ({ id: group.GroupId!, name: group.GroupName ?? '', ingress: group.IpPermissions ?? [] }));
  }

  async deleteSecurityGroup(groupId: string): Promise<void> {
    await this.call('DeleteSecurityGroup', () => this.ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId })), { groupId });
  }

  async subnetVpc(subnetId: string): Promise<string | undefined> {
    const out = await this.call('DescribeSubnets', () => this.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] })), { subnet: subnetId });
    return out.Subnets?.[0]?.VpcId;
  }

  async instanceTypes(families: string[]): Promise<{ name: string; vcpus: number; memoryMiB: number }[]> {
    const filters = [{ Name: 'instance-type', Values: families.map((family) => `${family}.*`) }, { Name: 'processor-info.supported-architecture', Values: ['x86_64'] }];
    const found: { name: string; vcpus: number; memoryMiB: number }[] = [];
    let token: string | undefined;
    do {
      const out = await this.call('DescribeInstanceTypes', () => this.ec2.send(new DescribeInstanceTypesCommand({ Filters: filters, NextToken: token })));
      for (const type of out.InstanceTypes ?? []) found.push({ name: type.InstanceType ?? '', vcpus: type.VCpuInfo?.DefaultVCpus ?? 0, memoryMiB: type.MemoryInfo?.SizeInMiB ?? 0 });
      token = out.NextToken;
    } while (token);
    return found;
  }

  async runInstance(input: { imageId: string; instanceType: string; keyName: string; securityGroupId: string; subnet: string | undefined; userData: string; volumeGiB: number | undefined; tags: Tags }): Promise<string> {
    // ClientToken is left to the SDK: it makes one per call and keeps it across its retries,
    // so a retried RunInstances never makes a second instance.
    const out = await this.call('RunInstances', () =>
      this.ec2.send(
        new RunInstancesCommand({
          ImageId: input.imageId,
          InstanceType: input.instanceType as 't3.micro',
          MinCount: 1,
          MaxCount: 1,
          KeyName: input.keyName,
          SecurityGroupIds: [input.securityGroupId],
          SubnetId: input.subnet,
          UserData: Buffer.from(input.userData).toString('base64'),
          BlockDeviceMappings: input.volumeGiB ? [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: input.volumeGiB, DeleteOnTermination: true } }] : undefined,
          TagSpecifications: [{ ResourceType: 'instance', Tags: toTags(input.tags) }, { ResourceType: 'volume', Tags: toTags(input.tags) }],
        }),
      ),
    );
    return out.Instances![0]!.InstanceId!;
  }

  async instances(query: { tags?: Tags; ids?: string[] }): Promise<Instance[]> {
    const out = await this.call('DescribeInstances', () => this.ec2.send(new DescribeInstancesCommand({ InstanceIds: query.ids, Filters: query.tags ? tagFilters(query.tags) : undefined })));
    return (out.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []);
  }

  async startInstance(id: string): Promise<void> {
    await this.call('StartInstances', () => this.ec2.send(new StartInstancesCommand({ InstanceIds: [id] })), { instance: id });
  }

  async stopInstance(id: string, force: boolean): Promise<void> {
    await this.call('StopInstances', () => this.ec2.send(new StopInstancesCommand({ InstanceIds: [id], Force: force })), { instance: id });
  }

  async terminateInstances(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.call('TerminateInstances', () => this.ec2.send(new TerminateInstancesCommand({ InstanceIds: ids })), { instances: ids });
  }

  /** The console text, decoded: SDK v3 hands GetConsoleOutput's Output back still base64. */
  async consoleOutput(id: string): Promise<string> {
    const out = await this.call('GetConsoleOutput', () => this.ec2.send(new GetConsoleOutputCommand({ InstanceId: id, Latest: true })), { instance: id });
    return out.Output ? Buffer.from(out.Output, 'base64').toString('utf8') : '';
  }
}

export function fromTags(tags: Tag[] | undefined): Tags {
  return Object.fromEntries((tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
}
