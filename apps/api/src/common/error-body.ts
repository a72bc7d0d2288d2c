import { ApiProperty } from '@nestjs/swagger';

/** Shape of every REST error response (see error-mapper.ts). */
export class ErrorBody {
  @ApiProperty({ type: 'integer', example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'BAD_USER_INPUT' }) code!: string;
  @ApiProperty({ example: 'port: port must be between 1 and 65535' }) message!: string;
  @ApiProperty({ required: false, example: 'port', description: 'The input field at fault, for BAD_USER_INPUT' }) field?: string;
  @ApiProperty({ required: false }) requestId?: string;
}
